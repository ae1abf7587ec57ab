package dev.loomtracer.jfr;

import java.util.Arrays;
import java.util.Random;

/**
 * Seeded corruptions of a file: a truncation, bit flips, a range overwritten with random bytes,
 * a zeroed range, or a copied range. The same seed gives the same mutants.
 */
final class JfrMutator {
    private JfrMutator() {}

    static byte[] mutate(byte[] good, Random rnd) {
        byte[] b = good.clone();
        switch (rnd.nextInt(5)) {
            case 0 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
            case 1 -> {
                for (int k = 1 + rnd.nextInt(8); k > 0; k--) {
                    int at = rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 2 -> {
                int at = rnd.nextInt(b.length);
                for (int k = 0; k < 1 + rnd.nextInt(16) && at + k < b.length; k++) {
                    b[at + k] = (byte) rnd.nextInt(256);
                }
            }
            case 3 -> {
                int at = rnd.nextInt(b.length);
                Arrays.fill(b, at, Math.min(b.length, at + 1 + rnd.nextInt(64)), (byte) 0);
            }
            default -> {
                int from = rnd.nextInt(b.length);
                int to = rnd.nextInt(b.length);
                int len = Math.min(1 + rnd.nextInt(256), Math.min(b.length - from, b.length - to));
                System.arraycopy(good, from, b, to, len);
            }
        }
        return b;
    }
}
