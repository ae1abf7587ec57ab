package dev.loomtracer.jfr.jmc;

import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.flightrecorder.CouldNotLoadRecordingException;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.RuleRegistry;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * What JDK Mission Control makes of a recording, without its GUI: JMC's own parser
 * ({@link JfrLoaderToolkit}) and its automated analysis (every rule of {@link RuleRegistry}, the
 * JDK rules and the Loom Tracer rules of this package).
 *
 * <p>Invariant: a rule that throws is reported as an outcome with its error, never hidden.
 */
public final class JmcAnalysis {
    private JmcAnalysis() {}

    /** One rule's result: severity and summary, or the error it failed with. */
    public record Outcome(String ruleId, String ruleName, Severity severity, String summary, IResult result, Throwable error) {}

    /** Loads a recording with JMC's parser. */
    public static IItemCollection load(Path jfr) throws IOException {
        try {
            return JfrLoaderToolkit.loadEvents(jfr.toFile());
        } catch (CouldNotLoadRecordingException e) {
            throw new IOException("JMC cannot load " + jfr + ": " + e.getMessage(), e);
        }
    }

    /** Events per type identifier, as JMC counts them. */
    public static Map<String, Long> countByType(IItemCollection items) {
        Map<String, Long> counts = new TreeMap<>();
        for (IItemIterable it : items) {
            counts.merge(it.getType().getIdentifier(), it.getItemCount(), Long::sum);
        }
        return counts;
    }

    /** Runs every registered rule (JMC's and Loom Tracer's) over the items. */
    public static List<Outcome> runRules(IItemCollection items) {
        Collection<IRule> rules = RuleRegistry.getRules();
        Map<IRule, Future<IResult>> futures = RulesToolkit.evaluateParallel(rules, items,
                IPreferenceValueProvider.DEFAULT_VALUES, 0);
        List<Outcome> out = new ArrayList<>();
        for (Map.Entry<IRule, Future<IResult>> e : futures.entrySet()) {
            IRule rule = e.getKey();
            try {
                IResult r = e.getValue().get();
                out.add(new Outcome(rule.getId(), rule.getName(), r.getSeverity(), r.getSummary(), r, null));
            } catch (ExecutionException x) {
                out.add(new Outcome(rule.getId(), rule.getName(), null, null, null, x.getCause()));
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                out.add(new Outcome(rule.getId(), rule.getName(), null, null, null, x));
            } catch (RuntimeException x) {
                out.add(new Outcome(rule.getId(), rule.getName(), null, null, null, x));
            }
        }
        out.sort(Comparator.comparing(Outcome::ruleId));
        return out;
    }

    /** The outcome of one rule, or null if it did not run. */
    public static Outcome find(List<Outcome> outcomes, String ruleId) {
        return outcomes.stream().filter(o -> o.ruleId().equals(ruleId)).findFirst().orElse(null);
    }
}
