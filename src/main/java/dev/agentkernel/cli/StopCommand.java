package dev.agentkernel.cli;

import dev.agentkernel.errors.UserInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel stop NAME... [-t SECONDS]}: the guest powers off cleanly, or is killed after the grace. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stop sandboxes: the guest syncs and powers off; the monitor is killed after the grace time.")
final class StopCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Sandbox names.")
    List<String> names;

    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds to wait for the guest to power off (default: ${DEFAULT-VALUE}).")
    long seconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (seconds < 0 || seconds > 3600) {
            throw new UserInputException("-t must be between 0 and 3600 seconds");
        }
        return EachSandbox.apply(spec, names, (service, name) -> service.stop(name, Duration.ofSeconds(seconds)));
    }
}
