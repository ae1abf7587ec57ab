package dev.loomtracer.stress;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pairing of real jcstress tests with their broken controls, by name: the suite as built is
 * paired, and dropping a control or adding an unpaired test is reported (a count would miss both).
 */
class JcstressVerdictTest {
    @Test
    void theBuiltSuiteIsPairedByName() throws Exception {
        List<String> listed = JcstressVerdict.listedTests(getClass().getClassLoader());
        assertEquals(List.of(), JcstressVerdict.pairingProblems(listed), listed.toString());
    }

    @Test
    void aDroppedControlOrAnUnpairedTestIsReported() throws Exception {
        List<String> listed = new ArrayList<>(JcstressVerdict.listedTests(getClass().getClassLoader()));
        String control = "dev.loomtracer.stress.engine.TwoReadersStress.BrokenCheckThenSet";
        assertTrue(listed.remove(control), listed.toString());
        listed.add("dev.loomtracer.stress.engine.NewStress.Real");
        List<String> problems = JcstressVerdict.pairingProblems(listed);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("TwoReadersStress.BrokenCheckThenSet: broken control of TwoReadersStress.Real"),
                problems.toString());
        assertTrue(problems.get(1).startsWith("NewStress.Real: not paired"), problems.toString());
    }
}
