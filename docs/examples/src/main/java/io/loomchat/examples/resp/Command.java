package io.loomchat.examples.resp;

/** The commands {@link RespServer} knows, found by name without making a String of it. */
enum Command {
    GET, SET, PING, ECHO, DEL, EXISTS, INCR, MGET, MSET, CONFIG, QUIT;

    private static final Command[] ALL = values();
    private final byte[] upper = name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** {@return the command named {@code name} in any case, or null} */
    static Command named(byte[] name) {
        for (Command command : ALL) {
            if (command.is(name)) return command;
        }
        return null;
    }

    private boolean is(byte[] name) {
        if (name.length != upper.length) return false;
        for (int i = 0; i < name.length; i++) {
            int c = name[i];
            if (c >= 'a' && c <= 'z') c -= 'a' - 'A';
            if (c != upper[i]) return false;
        }
        return true;
    }
}
