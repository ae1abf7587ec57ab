package dev.loomtracer.engine;

import dev.loomtracer.format.EventType;
import dev.loomtracer.format.Status;

import java.util.ArrayList;
import java.util.List;

/**
 * traceadvance: ends a generation (Go's traceAdvance).
 *
 * <p>Invariants. One advance at a time. Statuses of Gs and Ps that no event told in the ending
 * generation are snapshotted before the next generation is published, and written only if the
 * advancer wins their status CAS, so each is the state at the generation's end; nothing the
 * next generation told after its publication is contradicted by them (a G it introduced gets no
 * status here, a G it told is not ended here, an M that wrote into it is not retired here:
 * docs/ENGINE.md, "The advancer's window"). The advancer
 * publishes the next generation (or 0 to stop), then waits for every writer still inside the old
 * one (its sequence counter), and only then takes the old generation's buffers: an event lands
 * whole in exactly one generation. Stack and string tables are dumped unpinned, without the
 * trace lock, and an advancing virtual thread offers its carrier to others after every batch it
 * builds (Go CL 577377: a large dump never holds a carrier hostage); only queueing the finished
 * batches takes the lock, for one step however large the generation. The frequency batch is the
 * generation's last batch. A generation that lost events is never written: the trace ends with
 * the generations before it and a final generation that records the loss.
 */
final class Advancer {
    private Advancer() {}

    /** Ids no Java thread has, for the synthetic M and G of the generation that records a loss. */
    static final long LOSS_M = Long.MAX_VALUE;
    static final long LOSS_G = Long.MAX_VALUE - 1;
    static final long REAPER_M = Long.MAX_VALUE - 2;
    static final String LOSS_KEY = "loomtrace.loss";

    private record GSnap(GState g, int status) {}

    /** {@code writes}: the M's sequence counter at the snapshot; it moves with every write the M starts later. */
    private record MSnap(MState m, int procStatus, GState cur, int curStatus, long writes) {}

    /**
     * The two steps that order an advance against the writers: publishing the next generation
     * (or 0) and waiting for the writers still in the old one; and the preemption point between
     * the batches it builds. A seam for the stress module, whose broken controls run an advance
     * with one of them wrong and whose tests observe the preemption points; product code uses
     * {@link #STEPS}.
     */
    static class Steps {
        void publishNext(Tracer t, long gen, boolean stop) {
            if (stop) {
                shutdown(t);
            } else {
                t.setGen(gen + 1);
            }
        }

        void waitForWriters(List<MState> ms) {
            Advancer.waitForWriters(ms);
        }

        /**
         * After each batch the advance builds. A running virtual thread is never preempted in
         * Java, so one that advances (a flight-recorder snapshot, a stop) yields here and a dump
         * of many thousands of stacks and strings leaves its carrier to other virtual threads
         * between batches; pinned, the yield does nothing.
         */
        void preemptionPoint() {
            if (Thread.currentThread().isVirtual()) {
                Thread.yield();
            }
        }
    }

    static final Steps STEPS = new Steps();

    static void advance(Tracer t, boolean stop) {
        advance(t, stop, STEPS);
    }

    static void advance(Tracer t, boolean stop, Steps steps) {
        t.advanceLock.lock();
        try {
            long gen = t.generation();
            TraceSession s = t.session;
            if (gen == 0 || s == null) {
                return;
            }
            advance(t, s, gen, stop, steps);
        } finally {
            t.advanceLock.unlock();
        }
    }

    private static void advance(Tracer t, TraceSession s, long gen, boolean stop, Steps steps) {
        // 1. Snapshot what no event told in this generation, and ready everything for the next.
        List<GSnap> gsnap = new ArrayList<>();
        for (GState g : s.gs.values()) {
            g.readyNextGen(gen);
            if (!g.statusWasTraced(gen)) {
                gsnap.add(new GSnap(g, g.status));
            }
        }
        List<MSnap> msnap = new ArrayList<>();
        for (MState m : s.ms) {
            m.proc.readyNextGen(gen);
            long writes = m.seqlockValue(); // before the state it vouches for
            GState cur = m.curGRacy();
            if (!m.proc.statusWasTraced(gen)) {
                msnap.add(new MSnap(m, m.proc.status, cur, cur == null ? 0 : cur.status, writes));
            }
        }
        s.reaperProc.readyNextGen(gen);

        // 2. Publish the next generation, or stop. The sweep's events are stamped now: later
        // than any event of what they tell (nothing told it in this generation), and no later
        // than any event of the next generation, whose writers read the clock after this switch.
        long ts = TraceClock.now();
        if (!stop) {
            s.readClocks(); // the next generation's clock anchor, ready before any writer is in it
        }
        steps.publishNext(t, gen, stop);

        // 3. Wait for writers still in the old generation. Ms registered after this snapshot
        // read the new generation: they registered after the switch.
        List<MState> ms = List.copyOf(s.ms);
        steps.waitForWriters(ms);

        // 4. Take the old generation's buffers.
        List<TraceBuf> out = new ArrayList<>();
        int slot = (int) (gen & 1);
        for (MState m : ms) {
            TraceBuf b = m.bufs[slot];
            m.bufs[slot] = null;
            if (b != null && !b.isEmpty()) {
                b.finish();
                out.add(b);
            } else if (b != null) {
                t.lock.lock();
                t.pool.release(b);
                t.lock.unlock();
            }
        }

        long lossGen = s.lossGen.get();
        if (lossGen != 0 && lossGen <= gen) {
            endWithLoss(t, s, gen, stop, out, steps);
            return;
        }

        // 5. Statuses for what no event told.
        BatchBuilder bb = new BatchBuilder(gen, out, t.pool, steps::preemptionPoint);
        for (MSnap x : msnap) {
            MState m = x.m();
            // A P the trace never mentioned gets no status (a platform thread's M, until it
            // borrows its P); its G, in a syscall on the M, still needs one.
            boolean untold = x.procStatus() == ProcState.UNTOLD;
            boolean procTold = !untold && m.proc.acquireStatus(gen);
            if (!untold && !procTold) {
                continue;
            }
            GState cur = x.cur();
            boolean curTold = cur != null && cur.knownIn(gen) && cur.acquireStatus(gen);
            if (!procTold && !curTold) {
                continue;
            }
            bb.begin(0, m.mid, ts);
            bb.reserve(128);
            TraceBuf b = bb.buf();
            if (procTold) {
                b.event(EventType.PROC_STATUS, ts);
                b.varint(m.proc.id);
                b.varint(x.procStatus());
            }
            if (curTold) {
                goStatus(b, ts, cur.id, m.mid, x.curStatus());
            }
            // Retired only if it wrote nothing since the snapshot: between the publication of the
            // next generation and now, a thread can still write into the next generation and then
            // end, and that generation's buffer and statuses must not be thrown away.
            if (m.thread.getState() == Thread.State.TERMINATED && !m.thread.isVirtual()
                    && (x.writes() & 1) == 0 && m.seqlockValue() == x.writes()) {
                retire(s, m, cur, curTold, x, b, ts);
            }
            bb.end();
        }
        List<GSnap> dead = new ArrayList<>();
        bb.begin(0, EventType.NO_THREAD, ts);
        for (GSnap x : gsnap) {
            int st = x.status();
            // A G introduced only by the next generation (a writer in it can have done so since
            // the snapshot) does not exist in this one.
            if (!x.g().knownIn(gen) || st == Status.GO_BAD || st == Status.GO_RUNNING || st == Status.GO_SYSCALL) {
                continue;
            }
            if (!x.g().acquireStatus(gen)) {
                continue;
            }
            bb.reserve(64);
            goStatus(bb.buf(), ts, x.g().id, EventType.NO_THREAD, st);
            if (x.g().thread.getState() == Thread.State.TERMINATED && endUntold(s, x.g(), st, gen)) {
                dead.add(x);
            }
        }
        bb.end();
        if (stop) {
            endTerminated(s, ms, dead, bb);
        }
        reap(s, gen, stop ? TraceClock.now() : ts, dead, bb);

        if (TraceLockCheck.ON) {
            TraceLockCheck.outside("dumping a generation's stack and string tables");
        }
        // 6. Tables, unpinned: stacks first (they add frame strings), then strings, frequency last.
        StackTable stacks = s.stacks[slot];
        StringTable strings = s.strings[slot];
        stacks.dump(bb, strings, s.pcs);
        List<FreshStrings> names = new ArrayList<>(ms.size());
        for (MState m : ms) { // the Ms that could write in this generation (step 3)
            names.add(m.freshNames[slot]);
        }
        strings.dump(bb, names);
        stacks.reset();
        strings.reset();
        frequency(bb);
        s.genBytes[slot].set(0);

        // 7. Queue the generation and let the reader have it.
        publish(t, out, gen, stop);
    }

    static void shutdown(Tracer t) {
        t.lock.lock();
        t.shutdown = true;
        t.setGen(0);
        t.lock.unlock();
        // Stale-true is fine: acquire() re-checks gen (Go CL 565935).
        t.clearEnabled();
    }

    private static void waitForWriters(List<MState> ms) {
        for (MState m : ms) {
            long v = m.seqlockValue();
            if ((v & 1) == 0) {
                continue;
            }
            // Odd: a write is in progress. Any change of the counter means that write is over.
            int spins = 0;
            while (m.seqlockValue() == v) {
                if (++spins < 1000) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
    }

    /**
     * Takes {@code g}, whose thread has terminated and whose status in {@code gen} is {@code st},
     * out of the session to be ended in {@code gen} by the reaper, if nothing told it since: under
     * its claim, which fails if a writer is telling it or the next generation already has (a
     * thread can still be told there, between the publication of the next generation and now,
     * and end before the advancer looks: ending it here would end it before those events).
     * A writer telling the same end in the next generation (TraceWriter.goDestroy) takes it out
     * of the session the same way, so exactly one of the two ends it.
     */
    private static boolean endUntold(TraceSession s, GState g, int st, long gen) {
        int now = g.claim(gen);
        if (now < 0) {
            return false;
        }
        try {
            if (now != st || !s.gs.remove(g.thread, g)) {
                return false;
            }
            g.tell(Status.GO_BAD, gen); // a writer holding a stale reference drops what it tells of it
            return true;
        } finally {
            g.release();
        }
    }

    /**
     * At stop, ends every G whose thread has terminated but whose end nobody told: a capture
     * layer may observe an end only after the thread is already terminated (the tracing scheduler
     * sees it when the run returns), and the trace may stop in between. No writer can write any
     * more, so a G running on an M ends there, in a batch of that M after its own, and the others
     * join the reaper's list. Stamped now: after every event of the generation.
     */
    private static void endTerminated(TraceSession s, List<MState> ms, List<GSnap> dead, BatchBuilder bb) {
        long now = TraceClock.now();
        for (MState m : ms) {
            GState cur = m.curGRacy();
            if (cur != null && cur.known() && cur.status == Status.GO_RUNNING
                    && cur.thread.getState() == Thread.State.TERMINATED && s.gs.remove(cur.thread, cur)) {
                bb.begin(0, m.mid, now);
                bb.reserve(32);
                bb.buf().event(EventType.GO_DESTROY, now);
                cur.status = Status.GO_BAD;
                m.setCurG(null);
                bb.end();
            }
        }
        for (GState g : s.gs.values()) {
            int st = g.status;
            if (g.known() && (st == Status.GO_RUNNABLE || st == Status.GO_WAITING)
                    && g.thread.getState() == Thread.State.TERMINATED && s.gs.remove(g.thread, g)) {
                g.status = Status.GO_BAD;
                dead.add(new GSnap(g, st));
            }
        }
    }

    /**
     * Ends an M whose thread has terminated and that no event told in this generation: its
     * platform-thread G (if that is what runs on it) ends, its P stops, and it is forgotten, so
     * the set of Ms stays bounded when platform threads come and go.
     */
    private static void retire(TraceSession s, MState m, GState cur, boolean curTold, MSnap x, TraceBuf b, long ts) {
        if (cur != null) {
            int st = x.curStatus();
            if (!curTold || cur.thread != m.thread || (st != Status.GO_RUNNING && st != Status.GO_SYSCALL)) {
                return; // something else runs there as far as the trace knows: leave it be
            }
            // A platform thread's G sits in a syscall on its M (TraceWriter.enterPlatform).
            b.event(st == Status.GO_SYSCALL ? EventType.GO_DESTROY_SYSCALL : EventType.GO_DESTROY, ts);
            cur.status = Status.GO_BAD;
            s.gs.remove(cur.thread, cur);
        }
        if (x.procStatus() == Status.PROC_RUNNING) {
            b.event(EventType.PROC_STOP, ts);
        }
        s.ms.remove(m);
    }

    private static void goStatus(TraceBuf b, long ts, long g, long m, int status) {
        b.event(EventType.GO_STATUS, ts);
        b.varint(g);
        b.varint(m);
        b.varint(status);
    }

    /**
     * Ends Gs whose threads terminated without the trace being told (no capture hooks): on a
     * reaper M with a P of its own, each is started and destroyed, so the G count stays bounded.
     * The reaper's idle P is told in every generation, which also keeps every generation non-empty.
     */
    private static void reap(TraceSession s, long gen, long ts, List<GSnap> dead, BatchBuilder bb) {
        ProcState p = s.reaperProc;
        bb.begin(0, REAPER_M, ts);
        bb.reserve(128);
        TraceBuf b = bb.buf();
        // Always told, so that no generation is ever empty: Go's parser rejects an empty one.
        if (p.acquireStatus(gen)) {
            b.event(EventType.PROC_STATUS, ts);
            b.varint(p.id);
            b.varint(Status.PROC_IDLE);
        }
        if (dead.isEmpty()) {
            bb.end();
            return;
        }
        b.event(EventType.PROC_START, ts);
        b.varint(p.id);
        b.varint(p.nextSeq(gen));
        for (GSnap x : dead) {
            GState g = x.g();
            bb.reserve(64);
            b = bb.buf();
            if (x.status() == Status.GO_WAITING) {
                b.event(EventType.GO_UNBLOCK, ts);
                b.varint(g.id);
                b.varint(g.nextSeq(gen));
                b.varint(0);
            }
            b.event(EventType.GO_START, ts);
            b.varint(g.id);
            b.varint(g.nextSeq(gen));
            b.event(EventType.GO_DESTROY, ts);
        }
        bb.reserve(16);
        bb.buf().event(EventType.PROC_STOP, ts);
        bb.end();
    }

    private static void frequency(BatchBuilder bb) {
        bb.begin(EventType.FREQUENCY);
        bb.buf().varint(TraceClock.TICKS_PER_SECOND);
        bb.end();
    }

    private static void publish(Tracer t, List<TraceBuf> out, long gen, boolean last) {
        // Linked here, by their only owner, so that queueing them under the lock is one step.
        TraceBuf first = null;
        TraceBuf prev = null;
        for (TraceBuf b : out) {
            b.link = null;
            if (prev == null) {
                first = b;
            } else {
                prev.link = b;
            }
            prev = b;
        }
        t.lock.lock();
        if (first != null) {
            t.pool.enqueueFull(first, prev);
        }
        t.flushedGen = gen;
        if (last) {
            t.finished = true;
        }
        t.lock.unlock();
        t.readerSlot.wake();
    }

    /**
     * The generation lost events, so it is not written; nor is anything after it, because a
     * later generation's statuses would contradict the last written one. The trace ends with
     * a replacement generation that tells the loss.
     */
    private static void endWithLoss(Tracer t, TraceSession s, long gen, boolean stopped, List<TraceBuf> out, Steps steps) {
        if (!stopped) {
            steps.publishNext(t, gen + 1, true);
            // Every M there is now, not the snapshot taken when g+1 was published: an M registered
            // since then read g+1 and may still be writing (and losing) there. Not waited for, its
            // losses came after the record was built, whose number then fell short of lostEvents()
            // (LossTest on a clean clone: 295 against 298). An M registered after this copy reads
            // the stop.
            List<MState> all = List.copyOf(s.ms);
            steps.waitForWriters(all);
            int next = (int) ((gen + 1) & 1);
            for (MState m : all) {
                TraceBuf b = m.bufs[next];
                m.bufs[next] = null;
                if (b != null) {
                    out.add(b);
                }
            }
        }
        t.lock.lock();
        for (TraceBuf b : out) {
            t.pool.release(b);
        }
        t.pool.discardFull(gen);
        t.pool.discardFull(gen + 1);
        t.lock.unlock();

        List<TraceBuf> loss = new ArrayList<>();
        BatchBuilder bb = new BatchBuilder(gen, loss, t.pool, steps::preemptionPoint);
        StringTable strings = new StringTable(BufferPool.UNBOUNDED);
        long ts = TraceClock.now();
        long pid = s.newPid();
        String message = s.lostEvents.sum() + " events lost in generation " + gen
                + ": the trace reader fell behind and the tracer's buffer memory ("
                + (s.config.bufferMemory() >> 10) + " KiB) ran out; the trace ends with the last complete generation";
        bb.begin(0, LOSS_M, ts);
        bb.reserve(512);
        TraceBuf b = bb.buf();
        b.event(EventType.PROC_STATUS, ts);
        b.varint(pid);
        b.varint(Status.PROC_RUNNING);
        b.event(EventType.GO_CREATE, ts);
        b.varint(LOSS_G);
        b.varint(0);
        b.varint(0);
        b.event(EventType.GO_START, ts);
        b.varint(LOSS_G);
        b.varint(1);
        b.event(EventType.USER_LOG, ts);
        b.varint(0);
        b.varint(strings.put(LOSS_KEY));
        b.varint(strings.put(message));
        b.varint(0);
        b.event(EventType.GO_DESTROY, ts);
        b.event(EventType.PROC_STOP, ts);
        bb.end();
        strings.dump(bb);
        frequency(bb);
        if (!stopped) {
            s.endedByItself("the trace reader fell behind and the tracer's buffer memory ("
                    + (s.config.bufferMemory() >> 10) + " KiB) ran out in generation " + gen + "; " + s.lostEvents.sum()
                    + " events lost there");
        }
        System.getLogger("dev.loomtracer").log(System.Logger.Level.WARNING, "Loom Tracer: "
                + (stopped ? "" : "tracing ended at " + java.time.Instant.now() + ": ") + message
                + (stopped ? "" : "; nothing more is recorded until the trace is stopped and started again"));
        publish(t, loss, gen, true);
    }
}
