// Command fixtures writes small Go execution traces (format "go 1.23") that the Java parser's
// tests use as real-world input: goroutines that block on channels, mutexes, sleep and
// syscalls, user tasks/regions/logs, a forced GC and, in cpu mode, CPU profile samples.
// Invariant: stdlib only, so it builds offline with GOTOOLCHAIN=local.
//
//	go run . -mode=basic -o basic.trace
//	go run . -mode=cpu -o cpu.trace
package main

import (
	"context"
	"flag"
	"io"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	mode := flag.String("mode", "basic", "basic | cpu")
	out := flag.String("o", "out.trace", "trace file to write")
	gens := flag.Int("phases", 3, "number of ~1.1s phases (each phase spans a generation boundary)")
	flag.Parse()
	runtime.GOMAXPROCS(2)

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if *mode == "cpu" {
		if err := pprof.StartCPUProfile(io.Discard); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	defer trace.Stop()

	switch *mode {
	case "basic":
		for i := 0; i < *gens; i++ {
			phase(i)
			// The runtime starts a new generation about once a second.
			time.Sleep(1100 * time.Millisecond)
		}
	case "cpu":
		burn(300 * time.Millisecond)
	default:
		log.Fatalf("unknown mode %q", *mode)
	}
}

// phase runs one burst of blocking work inside a user task.
func phase(n int) {
	ctx, task := trace.NewTask(context.Background(), "phase")
	defer task.End()
	trace.Log(ctx, "phase", string(rune('0'+n)))

	var wg sync.WaitGroup
	// Channel ping-pong.
	ping, pong := make(chan int), make(chan int)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			ping <- i
			<-pong
		}
		close(ping)
	}()
	go func() {
		defer wg.Done()
		trace.WithRegion(ctx, "ponger", func() {
			for v := range ping {
				pong <- v
			}
		})
	}()
	// Mutex contention.
	var mu sync.Mutex
	counter := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				mu.Lock()
				counter++
				time.Sleep(10 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	// Sleeps.
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := trace.StartRegion(ctx, "sleeper")
		time.Sleep(5 * time.Millisecond)
		r.End()
	}()
	// Syscalls: a pipe read that blocks until the writer writes.
	pr, pw, err := os.Pipe()
	if err != nil {
		log.Fatal(err)
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		buf := make([]byte, 16)
		pr.Read(buf)
		pr.Close()
	}()
	go func() {
		defer wg.Done()
		time.Sleep(2 * time.Millisecond)
		pw.Write([]byte("hello"))
		pw.Close()
	}()
	// Garbage, so the collector runs concurrently (GC, sweep and mark assist events).
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 32; i++ {
			sinkBytes = make([]byte, 1<<20)
		}
	}()
	wg.Wait()
	trace.Logf(ctx, "result", "counter=%d", counter)
}

func burn(d time.Duration) {
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := 1
			for time.Now().Before(deadline) {
				for i := 0; i < 100000; i++ {
					x = x*31 + i
				}
			}
			sink = x
		}()
	}
	wg.Wait()
}

var (
	sink      int
	sinkBytes []byte
)
