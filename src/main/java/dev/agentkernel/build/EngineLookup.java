package dev.agentkernel.build;

import dev.agentkernel.engine.ContainerEngine;
import dev.agentkernel.engine.EngineChoice;
import dev.agentkernel.engine.EngineDetector;
import dev.agentkernel.engine.EngineKind;

import java.util.EnumMap;
import java.util.Map;

/** Finds the engine that built a stored image; throws {@link dev.agentkernel.errors.ToolException} when it is gone. */
@FunctionalInterface
public interface EngineLookup {
    ContainerEngine forKind(EngineKind kind);

    /** Looks engines up on this machine, once per kind. */
    static EngineLookup forThisMachine() {
        EngineDetector detector = EngineDetector.forThisMachine();
        Map<EngineKind, ContainerEngine> found = new EnumMap<>(EngineKind.class);
        return kind -> found.computeIfAbsent(kind, k -> detector.detect(EngineChoice.of(k)).engine());
    }
}
