// Command qdev-fakemodel serves a scripted fake model over a real provider
// protocol, for trying q and benchmarking it without a model:
//
//	qdev-fakemodel -protocol openai|anthropic|bedrock -script FILE [-loop] [-addr 127.0.0.1:0]
//	               [-tls-cert FILE -tls-key FILE]
//
// FILE holds a JSON array of modeltest.Turn objects, for example
//
//	[{"text": ["Hello", " world"], "usage": {"inputTokens": 10, "outputTokens": 2}},
//	 {"toolCalls": [{"id": "c1", "name": "fs_read", "input": "{\"path\":\".\"}"}]}]
//
// Other turn fields: "status" and "errorBody" (answer with an HTTP error),
// "breakAfter" (cut the stream after that many text chunks), "hang" (stream
// the text, then hold the request open), "delay" (before each chunk, in
// nanoseconds) and "conversation" (the turn answers only a request whose
// first user message contains this text, so that subagents running at the
// same time each get their own turns).
//
// With -tls-cert and -tls-key (PEM files) it serves HTTPS, for trying
// clients behind a proxy or with a private CA.
//
// The first line on stdout is the base URL to give the client; stderr says
// which environment variable takes it. The server runs until SIGINT or
// SIGTERM, then reports the requests served and any protocol violations
// on stderr and exits 1 if there were violations.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/qdev/qdev/internal/model/modeltest"
)

const defaultAddr = "127.0.0.1:0"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run serves until ctx is done and returns the exit status: 0, 1 when the
// client violated the protocol, 2 for bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("qdev-fakemodel", flag.ContinueOnError)
	fs.SetOutput(stderr)
	protocol := fs.String("protocol", "openai", "wire protocol: openai, anthropic or bedrock")
	script := fs.String("script", "", "JSON file holding an array of turns (required)")
	loop := fs.Bool("loop", false, "replay the script from the start when it runs out")
	addr := fs.String("addr", defaultAddr, "address to listen on")
	certFile := fs.String("tls-cert", "", "serve HTTPS with this PEM certificate (with -tls-key)")
	keyFile := fs.String("tls-key", "", "the PEM private key of -tls-cert")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var cert tls.Certificate
	if *certFile != "" || *keyFile != "" {
		if *certFile == "" || *keyFile == "" {
			fmt.Fprintln(stderr, "qdev-fakemodel: -tls-cert and -tls-key go together")
			return 2
		}
		var err error
		if cert, err = tls.LoadX509KeyPair(*certFile, *keyFile); err != nil {
			fmt.Fprintf(stderr, "qdev-fakemodel: -tls-cert/-tls-key: %v\n", err)
			return 2
		}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "qdev-fakemodel: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *script == "" {
		fmt.Fprintln(stderr, "qdev-fakemodel: -script FILE is required")
		return 2
	}
	turns, err := loadScript(*script)
	if err != nil {
		fmt.Fprintf(stderr, "qdev-fakemodel: %v\n", err)
		return 2
	}
	var s *modeltest.Server
	var envVar string
	switch *protocol {
	case "openai":
		s, envVar = modeltest.NewOpenAI(turns...), "OPENAI_BASE_URL"
	case "anthropic":
		s, envVar = modeltest.NewAnthropic(turns...), "ANTHROPIC_BASE_URL"
	case "bedrock":
		// Bedrock ConverseStream over the AWS event stream (modeltest/bedrock.go).
		s, envVar = modeltest.NewBedrock(turns...), "AWS_ENDPOINT_URL_BEDROCK_RUNTIME"
	default:
		fmt.Fprintf(stderr, "qdev-fakemodel: -protocol %q: use openai, anthropic or bedrock\n", *protocol)
		return 2
	}
	s.Loop = *loop
	switch {
	case cert.Certificate != nil:
		err = s.ServeTLS(*addr, cert)
	case *addr != defaultAddr:
		err = s.Rebind(*addr)
	}
	if err != nil {
		s.Close()
		fmt.Fprintf(stderr, "qdev-fakemodel: -addr: %v\n", err)
		return 2
	}
	fmt.Fprintln(stdout, s.URL)
	fmt.Fprintf(stderr, "qdev-fakemodel: serving %d turn(s) of %s; set %s=%s\n", len(turns), *protocol, envVar, s.URL)

	<-ctx.Done()
	closeWithin(s, 2*time.Second)
	reqs, violations := s.Requests(), s.Violations()
	fmt.Fprintf(stderr, "qdev-fakemodel: served %d request(s)\n", len(reqs))
	for _, v := range violations {
		fmt.Fprintf(stderr, "qdev-fakemodel: violation: %s\n", v)
	}
	if len(violations) > 0 {
		return 1
	}
	return 0
}

// loadScript reads a JSON array of turns; unknown fields are errors, so a
// misspelt key does not silently become an empty turn.
func loadScript(path string) ([]modeltest.Turn, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var turns []modeltest.Turn
	if err := dec.Decode(&turns); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("%s: byte %d: %v", path, syn.Offset, err)
		}
		return nil, fmt.Errorf("%s: %v (want a JSON array of turns)", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: trailing data after the array of turns", path)
	}
	if len(turns) == 0 {
		return nil, fmt.Errorf("%s: the script has no turns", path)
	}
	return turns, nil
}

// closeWithin stops the server, giving up on requests that are still
// running after d (a scripted Hang keeps its request open).
func closeWithin(s *modeltest.Server, d time.Duration) {
	done := make(chan struct{})
	go func() {
		s.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
	}
}
