package io.polycache.web.buildcache;

/**
 * A build-tool cache request refused with a 4xx of its own (a content digest that is not its
 * key: 400; an upload without a declared length: 411; a DELETE where the tool has none: 405). Answered by {@link RefusalMapper}.
 */
public final class Refusal extends RuntimeException {
    private final int status;

    Refusal(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
