package apis

import (
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

func TestRuleParam(t *testing.T) {
	cases := []struct {
		name   string
		params ejson.D
		want   string
		bad    bool
	}{
		{"string", ejson.D{{Key: "rule", Value: `{"read":true}`}}, `{"read":true}`, false},
		{"object", ejson.D{{Key: "rule", Value: ejson.D{{Key: "read", Value: true}}}}, `{"read":true}`, false},
		{"absent", ejson.D{}, "", false},
		{"number", ejson.D{{Key: "rule", Value: int32(3)}}, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := (&actionRequest{params: c.params}).ruleParam()
			if c.bad {
				if err == nil {
					t.Fatalf("accepted: %s", raw)
				}
				return
			}
			if err != nil || string(raw) != c.want {
				t.Fatalf("got %s %v, want %s", raw, err, c.want)
			}
		})
	}
}
