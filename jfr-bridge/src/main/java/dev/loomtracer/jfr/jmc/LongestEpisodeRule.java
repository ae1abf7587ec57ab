package dev.loomtracer.jfr.jmc;

import org.openjdk.jmc.common.IDisplayable;
import org.openjdk.jmc.common.item.Attribute;
import org.openjdk.jmc.common.item.IAttribute;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.common.util.TypedPreference;
import org.openjdk.jmc.flightrecorder.JfrAttributes;
import org.openjdk.jmc.flightrecorder.rules.AbstractRule;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IResultValueProvider;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;

import java.util.List;

/**
 * A JMC automated-analysis rule that finds the longest event of one Loom Tracer interval type
 * (in a converted trace or a live-bridge recording) and reports its duration, start, virtual
 * thread and reason; severity rises from the info to the warning limit.
 *
 * <p>Invariant: NA (not applicable) when the recording has no event of the type; never throws on
 * a recording that has them.
 */
public abstract class LongestEpisodeRule extends AbstractRule {
    /** JMC reads a plain long field as a raw number. */
    public static final IAttribute<Number> VIRTUAL_THREAD_ID = Attribute.attr("virtualThreadId", "Virtual Thread Id",
            UnitLookup.RAW_NUMBER);

    public static final TypedResult<IQuantity> LONGEST_DURATION = new TypedResult<>("longestDuration", "Longest Duration",
            "The duration of the longest episode.", UnitLookup.TIMESPAN, IQuantity.class);
    public static final TypedResult<IQuantity> LONGEST_START = new TypedResult<>("longestStart", "Longest Start",
            "When the longest episode began.", UnitLookup.TIMESTAMP, IQuantity.class);
    public static final TypedResult<IQuantity> LONGEST_THREAD = new TypedResult<>("longestThread", "Virtual Thread Id",
            "threadId() of the virtual thread of the longest episode.", UnitLookup.NUMBER, IQuantity.class);
    public static final TypedResult<String> LONGEST_REASON = new TypedResult<>("longestReason", "Reason",
            "The reason the trace gives for the longest episode.", UnitLookup.PLAIN_TEXT, String.class);

    private final String eventType;
    private final String what;
    private final IAttribute<String> reason;
    private final TypedPreference<IQuantity> infoLimit;
    private final TypedPreference<IQuantity> warningLimit;

    LongestEpisodeRule(String id, String name, String eventType, String what, String reasonField,
                       TypedPreference<IQuantity> infoLimit, TypedPreference<IQuantity> warningLimit) {
        super(id, name, "Loom Tracer", List.of(infoLimit, warningLimit),
                List.of(TypedResult.SCORE, LONGEST_DURATION, LONGEST_START, LONGEST_THREAD, LONGEST_REASON),
                RulesToolkit.RequiredEventsBuilder.create()
                        .addEventType(eventType, RulesToolkit.EventAvailability.AVAILABLE).build());
        this.eventType = eventType;
        this.what = what;
        this.reason = Attribute.attr(reasonField, "Reason", UnitLookup.PLAIN_TEXT);
        this.infoLimit = infoLimit;
        this.warningLimit = warningLimit;
    }

    static TypedPreference<IQuantity> limit(String id, String name, long millis) {
        return new TypedPreference<>(id, name, name, UnitLookup.TIMESPAN, UnitLookup.MILLISECOND.quantity(millis));
    }

    @Override
    protected IResult getResult(IItemCollection items, IPreferenceValueProvider vp, IResultValueProvider rp) {
        IItem longest = null;
        IQuantity longestDuration = null;
        IMemberAccessor<IQuantity, IItem> durationOf = null;
        for (IItemIterable it : items.apply(ItemFilters.type(eventType))) {
            IMemberAccessor<IQuantity, IItem> d = JfrAttributes.DURATION.getAccessor(it.getType());
            if (d == null) {
                continue;
            }
            for (IItem item : it) {
                IQuantity q = d.getMember(item);
                if (q != null && (longestDuration == null || q.compareTo(longestDuration) > 0)) {
                    longest = item;
                    longestDuration = q;
                    durationOf = d;
                }
            }
        }
        if (longest == null || durationOf == null) {
            return RulesToolkit.getNotApplicableResult(this, vp, "The recording has no " + what + " events.");
        }
        IQuantity start = RulesToolkit.getValue(longest, JfrAttributes.START_TIME);
        Number tid = RulesToolkit.getValue(longest, VIRTUAL_THREAD_ID);
        IQuantity thread = tid == null ? null : UnitLookup.NUMBER_UNITY.quantity(tid.longValue());
        String why = RulesToolkit.getValue(longest, reason);
        IQuantity info = vp.getPreferenceValue(infoLimit);
        IQuantity warn = vp.getPreferenceValue(warningLimit);
        double score = RulesToolkit.mapExp100(longestDuration.doubleValueIn(UnitLookup.SECOND),
                info.doubleValueIn(UnitLookup.SECOND), warn.doubleValueIn(UnitLookup.SECOND));
        String summary = "The longest " + what + " lasted " + longestDuration.displayUsing(IDisplayable.AUTO)
                + " (virtual thread " + (thread == null ? "?" : thread.longValue())
                + (why == null || why.isEmpty() ? "" : ", " + why) + ").";
        return ResultBuilder.createFor(this, vp).setSeverity(Severity.get(score)).setSummary(summary)
                .setExplanation("Loom Tracer recorded every " + what + "; this is the longest one. In JMC's event "
                        + "browser, open Loom Tracer and sort the " + eventType + " events by Duration to see the others.")
                .addResult(TypedResult.SCORE, UnitLookup.NUMBER_UNITY.quantity(score))
                .addResult(LONGEST_DURATION, longestDuration)
                .addResult(LONGEST_START, start)
                .addResult(LONGEST_THREAD, thread)
                .addResult(LONGEST_REASON, why == null ? "" : why)
                .build();
    }
}
