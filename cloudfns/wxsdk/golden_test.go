package wxsdk

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// goldenFile is testdata/golden/golden.json, written by gen.js from the real SDKs.
type goldenFile struct {
	SDK       map[string]string `json:"sdk"`
	Scenarios []struct {
		Name      string                       `json:"name"`
		Flavor    string                       `json:"flavor"`
		Script    string                       `json:"script"`
		Responses []map[string]json.RawMessage `json:"responses"`
		Requests  []struct {
			Action string         `json:"action"`
			Params map[string]any `json:"params"`
		} `json:"requests"`
		Result outcome `json:"result"`
	} `json:"scenarios"`
}

// deviations lists golden scenarios where Minicloud deliberately differs from the
// real SDK, with the reason; the test checks them in their own tests instead.
var deviations = map[string]string{}

// TestGolden replays every scenario the real wx-server-sdk / node-sdk went through and
// checks that Minicloud's module sends the same actions with the same parameters
// (EJSON strings compared byte for byte) and returns or throws the same thing.
func TestGolden(t *testing.T) {
	raw, err := os.ReadFile("testdata/golden/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Scenarios) < 100 {
		t.Fatalf("golden.json has %d scenarios", len(g.Scenarios))
	}
	for _, sc := range g.Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			if why, ok := deviations[sc.Name]; ok {
				t.Skip("deliberate deviation: " + why)
			}
			restore := sequentialRequestIDs()
			defer restore()
			host := &fakeHost{answers: append([]map[string]json.RawMessage(nil), sc.Responses...)}
			s := newSandbox(t, host)
			got := s.run(sc.Script)

			if len(host.calls) != len(sc.Requests) {
				t.Errorf("sent %d requests, the real SDK sent %d", len(host.calls), len(sc.Requests))
			}
			for i := 0; i < len(host.calls) && i < len(sc.Requests); i++ {
				want := sc.Requests[i]
				call := host.calls[i]
				if call.Action != want.Action {
					t.Errorf("request %d: action %s, want %s", i, call.Action, want.Action)
					continue
				}
				var params map[string]any
				if call.Action == "functions.invokeFunction" {
					params = map[string]any{"function_name": call.Name, "request_data": string(call.Event)}
					if want.Params["request_data"] == "" {
						want.Params["request_data"] = "{}" // node-sdk sends no data as ""; the Host gets {}
					}
					if want.Params["qualifier"] == nil {
						delete(want.Params, "qualifier")
					}
				} else if err := json.Unmarshal(call.Params, &params); err != nil {
					t.Fatalf("request %d: params are not JSON: %v\n%s", i, err, call.Params)
				}
				if !reflect.DeepEqual(params, want.Params) {
					gotJSON, _ := json.MarshalIndent(params, "", " ")
					wantJSON, _ := json.MarshalIndent(want.Params, "", " ")
					t.Errorf("request %d (%s) params differ\n got: %s\nwant: %s", i, call.Action, gotJSON, wantJSON)
				}
			}
			if got != sc.Result {
				t.Errorf("result differs\n got: %s\nwant: %s", got, sc.Result)
			}
		})
	}
}
