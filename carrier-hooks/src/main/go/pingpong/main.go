// The Go twin of the capture overhead harness's benchmark JVM (OverheadChild): the same two
// ping-pongs between two goroutines, traced by Go's own execution tracer (runtime/trace, which
// takes a stack at every block) or not, so that CaptureOverhead can put Go's traced/untraced
// ratio next to Loom Tracer's in one interleaved run (docs/PERFORMANCE.md, "Capture overhead").
//
// Protocol (the JVM child's): reads "<park|queue> <off|on> <trips>" lines on stdin, answers
// "ok <ns per round trip> <trace bytes> 0 <process CPU ns per round trip>"; "quit" ends it.
// Run it with GOMAXPROCS=1, the twin of -Djdk.virtualThreadScheduler.parallelism=1.
//
// park: LockSupport.park/unpark hand a turn back and forth; a goroutine's twin of a park permit
// is a channel with room for one token (unpark: a send that never waits; park: a receive).
// queue: a SynchronousQueue each way; its twin is an unbuffered channel each way.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime/trace"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		w := strings.Fields(in.Text())
		if len(w) == 0 {
			continue
		}
		if w[0] == "quit" || len(w) < 3 {
			return
		}
		trips, err := strconv.Atoi(w[2])
		if err != nil {
			fmt.Println("error", err)
			return
		}
		cpu0 := cpuNanos()
		var f *os.File
		if w[1] != "off" {
			f, err = os.CreateTemp("", "loomtrace-overhead-go-*.trace")
			if err == nil {
				err = trace.Start(f)
			}
			if err != nil {
				fmt.Println("error", err)
				return
			}
		}
		var ns int64
		if w[0] == "park" {
			ns = parkPingPong(trips)
		} else {
			ns = queuePingPong(trips)
		}
		var bytes int64
		if f != nil {
			trace.Stop()
			if st, err := f.Stat(); err == nil {
				bytes = st.Size()
			}
			f.Close()
			os.Remove(f.Name())
		}
		cpu := cpuNanos() - cpu0
		fmt.Printf("ok %.2f %d 0 %.2f\n", float64(ns)/float64(trips), bytes, float64(cpu)/float64(trips))
	}
}

func cpuNanos() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func parkPingPong(trips int) int64 {
	permits := [2]chan struct{}{make(chan struct{}, 1), make(chan struct{}, 1)}
	done := make(chan struct{})
	t0 := time.Now()
	for i := 0; i < 2; i++ {
		me := i
		go func() {
			if me == 1 {
				<-permits[1]
			}
			for r := 0; r < trips; r++ {
				select { // unpark the other: a permit, never waiting
				case permits[1-me] <- struct{}{}:
				default:
				}
				if me == 1 && r == trips-1 {
					break
				}
				<-permits[me] // park until the other hands the turn back
			}
			done <- struct{}{}
		}()
	}
	<-done
	<-done
	return time.Since(t0).Nanoseconds()
}

func queuePingPong(trips int) int64 {
	there := make(chan int)
	back := make(chan int)
	done := make(chan struct{})
	t0 := time.Now()
	go func() {
		for r := 0; r < trips; r++ {
			there <- r
			<-back
		}
		done <- struct{}{}
	}()
	go func() {
		for r := 0; r < trips; r++ {
			back <- <-there
		}
		done <- struct{}{}
	}()
	<-done
	<-done
	return time.Since(t0).Nanoseconds()
}
