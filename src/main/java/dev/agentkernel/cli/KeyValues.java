package dev.agentkernel.cli;

import dev.agentkernel.errors.Quote;
import dev.agentkernel.errors.UserInputException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code K=V} options ({@code -e}, {@code -l}) as an ordered map; a later key wins. */
final class KeyValues {
    private KeyValues() {
    }

    static Map<String, String> parse(List<String> pairs, String option) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UserInputException(option + " expects NAME=VALUE, not " + Quote.name(pair));
            }
            map.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return map;
    }
}
