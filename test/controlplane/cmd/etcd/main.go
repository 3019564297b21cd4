// Command etcd runs a single-member etcd for the integration tests' kube-apiserver. It is built
// from etcd's embed package at the version Kubernetes itself uses, so the two always match and
// no prebuilt etcd has to be downloaded.
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"go.etcd.io/etcd/server/v3/embed"
)

func main() {
	dataDir := flag.String("data-dir", "", "directory for etcd's data (required)")
	clientURL := flag.String("listen-client-urls", "", "loopback client URL, e.g. http://127.0.0.1:2379 (required)")
	peerURL := flag.String("listen-peer-urls", "", "loopback peer URL, e.g. http://127.0.0.1:2380 (required)")
	noFsync := flag.Bool("unsafe-no-fsync", false, "skip fsync: throw-away test data only, much faster on slow disks")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()
	if *dataDir == "" || *clientURL == "" || *peerURL == "" {
		fmt.Fprintln(os.Stderr, "etcd: --data-dir, --listen-client-urls and --listen-peer-urls are required")
		os.Exit(2)
	}

	cfg := embed.NewConfig()
	cfg.Name = "default"
	cfg.Dir = *dataDir
	cfg.LogLevel = *logLevel
	cfg.UnsafeNoFsync = *noFsync
	cfg.ListenClientUrls = []url.URL{mustParseURL("listen-client-urls", *clientURL)}
	cfg.AdvertiseClientUrls = cfg.ListenClientUrls
	cfg.ListenPeerUrls = []url.URL{mustParseURL("listen-peer-urls", *peerURL)}
	cfg.AdvertisePeerUrls = cfg.ListenPeerUrls
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)

	server, err := embed.StartEtcd(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd: cannot start: %v\n", err)
		os.Exit(1)
	}
	defer server.Close()

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-server.Server.ReadyNotify():
		fmt.Fprintf(os.Stderr, "etcd: ready, serving clients on %s\n", *clientURL)
	case err := <-server.Err():
		fmt.Fprintf(os.Stderr, "etcd: failed before ready: %v\n", err)
		os.Exit(1)
	case <-signals:
		return
	}
	select {
	case err := <-server.Err():
		fmt.Fprintf(os.Stderr, "etcd: stopped: %v\n", err)
		os.Exit(1)
	case <-signals:
		// A clean stop on SIGTERM: the deferred Close flushes and releases the data directory.
	}
}

func mustParseURL(flagName, raw string) url.URL {
	parsed, err := url.Parse(raw)
	if err != nil || parsed.Host == "" {
		fmt.Fprintf(os.Stderr, "etcd: --%s %q is not a URL like http://127.0.0.1:2379\n", flagName, raw)
		os.Exit(2)
	}
	return *parsed
}
