package dev.agentkernel.build.dockerfile;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** STOPSIGNAL values: a Linux signal by number or by name, with or without {@code SIG}, any case. */
final class Signals {
    private static final Set<String> NAMES = Set.of("ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL",
            "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
            "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX");
    private static final Pattern REALTIME = Pattern.compile("RTMIN\\+(\\d{1,2})|RTMAX-(\\d{1,2})");

    private Signals() {
    }

    static boolean isValid(String signal) {
        if (signal.matches("\\d{1,3}")) {
            int n = Integer.parseInt(signal);
            return n >= 1 && n <= 64;
        }
        String name = signal.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        if (NAMES.contains(name)) {
            return true;
        }
        Matcher m = REALTIME.matcher(name);
        if (!m.matches()) {
            return false;
        }
        int offset = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
        return offset >= 1 && offset <= 15 && !(m.group(2) != null && offset > 14);
    }
}
