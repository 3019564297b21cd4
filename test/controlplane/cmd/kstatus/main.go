// kstatus reads Kubernetes objects as a stream of JSON documents on stdin and prints, for each,
// one JSON line with what kstatus (sigs.k8s.io/cli-utils/pkg/kstatus, the library Flux and kpt
// judge resources with) computes: {"kind", "name", "status", "message"}. Tests feed it the
// status our controller writes, so "Current / InProgress / Failed" is the library's verdict,
// not our reading of its rules.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type verdict struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kstatus:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	decoder := json.NewDecoder(in)
	encoder := json.NewEncoder(out)
	for {
		var document json.RawMessage
		if err := decoder.Decode(&document); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading a JSON object from stdin: %w", err)
		}
		// Unstructured's own decoder keeps integers int64, as kstatus reads metadata.generation.
		resource := &unstructured.Unstructured{}
		if err := resource.UnmarshalJSON(document); err != nil {
			return fmt.Errorf("decoding a Kubernetes object: %w", err)
		}
		result, err := status.Compute(resource)
		if err != nil {
			return fmt.Errorf("computing the status of %s %s: %w", resource.GetKind(), resource.GetName(), err)
		}
		line := verdict{Kind: resource.GetKind(), Name: resource.GetName(), Status: result.Status.String(), Message: result.Message}
		if err := encoder.Encode(line); err != nil {
			return err
		}
	}
}
