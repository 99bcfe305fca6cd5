package dev.agentkernel.store;

/** User or guest text inside an error message: at most a line's worth, control characters escaped. */
public final class Quoted {
    private static final int MAX = 120;

    private Quoted() {
    }

    public static String bounded(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length() && b.length() < MAX; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= MAX && text.length() > MAX) {
            b.setLength(MAX);
            b.append("… (").append(text.length()).append(" characters)");
        }
        return b.toString();
    }
}
