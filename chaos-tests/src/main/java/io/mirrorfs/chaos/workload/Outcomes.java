package io.mirrorfs.chaos.workload;

import io.mirrorfs.api.Errno;
import io.mirrorfs.chaos.history.HistoryRecorder;
import io.mirrorfs.chaos.history.Operation;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Maps how a call ended to a history outcome. */
final class Outcomes {
    private Outcomes() {}

    /**
     * Waits for {@code call}. An exception or a timeout is INFO: the request may be in a log somewhere
     * and apply later (Ratis retries, or a new leader commits it). An errno reply means the state machine
     * applied it as a refusal: FAIL, nothing changed.
     */
    static <T> Result<T> await(CompletableFuture<T> call, long timeoutMillis) throws InterruptedException {
        try {
            return new Result<>(call.get(timeoutMillis, TimeUnit.MILLISECONDS), null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new Result<>(null, cause.getClass().getSimpleName() + ": " + firstLine(cause.getMessage()));
        } catch (TimeoutException e) {
            call.cancel(false);
            return new Result<>(null, "no answer within " + timeoutMillis + " ms");
        }
    }

    static Operation failWithErrno(HistoryRecorder.Pending p, int errno) {
        return p.fail(Errno.of(errno).toString());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl >= 0 ? s.substring(0, nl) : s;
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    record Result<T>(T value, String error) {
        boolean answered() {
            return error == null;
        }
    }
}
