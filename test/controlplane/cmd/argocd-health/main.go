// argocd-health runs Argo CD resource health checks (Lua, resource.customizations.health.*) the
// way Argo CD does, on the interpreter it embeds (github.com/yuin/gopher-lua). It reads a stream
// of JSON documents on stdin, each {"script": "<lua>", "object": {<a Kubernetes object>}}, and
// prints one JSON line per document: {"status", "message"}, or {"error"} when the script fails.
//
// What Argo CD does for a health script from argocd-cm, which this follows: a fresh Lua state
// without the standard libraries (useOpenLibs is off for custom scripts): only package, base and
// table are opened (Argo CD adds a reduced os, which our scripts do not use; string and math are
// absent, so a script that calls them fails here as it would there); the object, decoded as
// unstructured (integers int64), as the global `obj`; one second to run; the returned table must
// have a status Argo CD knows, else it reads Unknown.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

type request struct {
	Script string          `json:"script"`
	Object json.RawMessage `json:"object"`
}

type verdict struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Argo CD's health status codes (gitops-engine pkg/health).
var known = map[string]bool{"Unknown": true, "Progressing": true, "Healthy": true, "Suspended": true, "Degraded": true, "Missing": true}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "argocd-health:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	decoder := json.NewDecoder(in)
	encoder := json.NewEncoder(out)
	for {
		var next request
		if err := decoder.Decode(&next); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading {script, object} from stdin: %w", err)
		}
		resource := &unstructured.Unstructured{}
		if err := resource.UnmarshalJSON(next.Object); err != nil {
			return fmt.Errorf("decoding a Kubernetes object: %w", err)
		}
		if err := encoder.Encode(health(next.Script, resource.Object)); err != nil {
			return err
		}
	}
}

func health(script string, object map[string]any) verdict {
	state := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer state.Close()
	for name, open := range map[string]lua.LGFunction{lua.LoadLibName: lua.OpenPackage, lua.BaseLibName: lua.OpenBase, lua.TabLibName: lua.OpenTable} {
		if err := state.CallByParam(lua.P{Fn: state.NewFunction(open), NRet: 0, Protect: true}, lua.LString(name)); err != nil {
			return verdict{Error: fmt.Sprintf("opening Lua library %q: %v", name, err)}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	state.SetContext(ctx)
	state.SetGlobal("obj", toLua(state, object))
	if err := state.DoString(script); err != nil {
		return verdict{Error: err.Error()}
	}
	result, ok := state.Get(-1).(*lua.LTable)
	if !ok {
		return verdict{Error: fmt.Sprintf("the script returned %s, not a table", state.Get(-1).Type())}
	}
	status := lua.LVAsString(result.RawGetString("status"))
	if !known[status] {
		return verdict{Status: "Unknown", Message: fmt.Sprintf("Lua returned an invalid health status %q", status)}
	}
	return verdict{Status: status, Message: lua.LVAsString(result.RawGetString("message"))}
}

// toLua turns an unstructured value into Lua: maps and lists become tables, numbers LNumber.
func toLua(state *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case []any:
		list := state.CreateTable(len(v), 0)
		for _, item := range v {
			list.Append(toLua(state, item))
		}
		return list
	case map[string]any:
		table := state.CreateTable(0, len(v))
		for key, item := range v {
			table.RawSetString(key, toLua(state, item))
		}
		return table
	}
	return lua.LNil
}
