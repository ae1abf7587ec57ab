package dev.loomtracer.hooks;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program with an exit status of its own: runs a few virtual threads, prints a line, touches
 * the marker file given as its first argument (if any) and exits with status 7. With {@code wait}
 * as its second argument it first waits for a line on stdin (so a test can attach an agent).
 */
public final class ExitWith {
    static final int STATUS = 7;
    static final String LINE = "the program ran to its end";

    public static void main(String[] args) throws Exception {
        if (args.length > 1 && args[1].equals("wait")) {
            System.out.println("waiting");
            System.out.flush();
            System.in.read();
        }
        int[] sum = new int[1];
        Thread[] ts = new Thread[20];
        for (int i = 0; i < ts.length; i++) {
            int n = i;
            ts[i] = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                synchronized (sum) {
                    sum[0] += n;
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), "ran");
        }
        System.out.println(LINE + " (" + sum[0] + ")");
        System.exit(STATUS);
    }
}
