package io.polycache.auth;

/** What a key may do: {@code rw} reads and writes, {@code ro} only reads. */
public enum Scope {
    READ_WRITE("rw"),
    READ_ONLY("ro");

    private final String token;

    Scope(String token) {
        this.token = token;
    }

    static Scope ofToken(String token) {
        for (Scope scope : values()) {
            if (scope.token.equals(token)) {
                return scope;
            }
        }
        return null;
    }
}
