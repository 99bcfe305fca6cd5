package dev.agentkernel.mcp;

import dev.agentkernel.errors.UserInputException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tool call's arguments, read with the type each needs; a wrong one is an error naming the argument. */
final class ToolArgs {
    private final Map<String, Object> args;

    ToolArgs(Map<String, Object> args) {
        this.args = args == null ? Map.of() : args;
    }

    String string(String name) {
        Object v = args.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new UserInputException(name + " must be a string");
        }
        return s;
    }

    String required(String name) {
        String v = string(name);
        if (v == null || v.isEmpty()) {
            throw new UserInputException(name + " is required");
        }
        return v;
    }

    boolean bool(String name) {
        Object v = args.get(name);
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw new UserInputException(name + " must be true or false");
        }
        return b;
    }

    Long number(String name) {
        Object v = args.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new UserInputException(name + " must be an integer");
        }
        return n.longValue();
    }

    List<String> strings(String name) {
        Object v = args.get(name);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof List<?> list)) {
            throw new UserInputException(name + " must be an array of strings");
        }
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw new UserInputException(name + " must be an array of strings");
            }
            out.add(s);
        }
        return out;
    }

    Map<String, String> stringMap(String name) {
        Object v = args.get(name);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw new UserInputException(name + " must be an object of strings");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new UserInputException(name + "." + e.getKey() + " must be a string");
            }
            out.put(String.valueOf(e.getKey()), s);
        }
        return out;
    }
}
