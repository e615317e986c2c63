package cloudfns_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/minicloud/minicloud/cloudfns"
	"github.com/minicloud/minicloud/cloudfns/wxsdk"
)

// The runtime with the real wx-server-sdk module: a function written as CloudBase
// projects write them.

type sdkHost struct {
	mu      sync.Mutex
	actions []string
}

func (h *sdkHost) EnvID() string { return "env-sdk" }

func (h *sdkHost) Database(ctx context.Context, action string, params json.RawMessage) (json.RawMessage, error) {
	h.mu.Lock()
	h.actions = append(h.actions, action)
	h.mu.Unlock()
	switch action {
	case "database.getDocument":
		return json.RawMessage(`{"list":["{\"_id\":\"a\",\"n\":1}","{\"_id\":\"b\",\"n\":2}"]}`), nil
	case "database.insertDocument":
		return json.RawMessage(`{"insertedIds":["new-id"]}`), nil
	}
	return json.RawMessage(`{}`), nil
}

func (h *sdkHost) CallFunction(ctx context.Context, name string, event json.RawMessage, cc cloudfns.CallContext) (cloudfns.Result, error) {
	return cloudfns.Result{Value: json.RawMessage(`{"echo":` + string(event) + `,"source":"` + cc.Source + `"}`), Outcome: cloudfns.OutcomeSuccess}, nil
}

func TestRuntimeWithWXServerSDK(t *testing.T) {
	host := &sdkHost{}
	r := cloudfns.NewRuntime(cloudfns.RuntimeConfig{}, host)
	r.RegisterModule("wx-server-sdk", wxsdk.WXServerSDK)
	r.RegisterModule("@cloudbase/node-sdk", wxsdk.NodeSDK)
	v := &cloudfns.Version{Function: "login", Number: 1, Bundle: cloudfns.Bundle{Files: map[string][]byte{
		"index.js": []byte(`
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
const _ = db.command;

exports.main = async (event, context) => {
  const wxContext = cloud.getWXContext();
  const [list, added, called] = await Promise.all([
    db.collection('todos').where({ n: _.gte(1) }).orderBy('n', 'asc').limit(10).get(),
    db.collection('todos').add({ data: { title: event.title, at: db.serverDate() } }),
    cloud.callFunction({ name: 'other', data: { x: 1 } }),
  ]);
  cloud.logger().info({ openid: wxContext.OPENID });
  return {
    openid: wxContext.OPENID, appid: wxContext.APPID, env: wxContext.ENV,
    ids: list.data.map(d => d._id), added: added._id, called: called.result,
    tcb: typeof require('@cloudbase/node-sdk').init,
  };
};`),
	}}}
	res := r.Invoke(context.Background(), v, json.RawMessage(`{"title":"buy milk"}`), cloudfns.CallContext{
		RequestID: "r1", Source: "wx_client", OpenID: "oUSER", AppID: "wxAPP",
	})
	if res.Outcome != cloudfns.OutcomeSuccess {
		t.Fatalf("%+v logs %+v", res.Err, res.Logs)
	}
	var got map[string]any
	_ = json.Unmarshal(res.Value, &got)
	want := `{"added":"new-id","appid":"wxAPP","called":{"echo":{"x":1},"source":"wx_client,scf"},"env":"env-sdk","ids":["a","b"],"openid":"oUSER","tcb":"function"}`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if strings.Join(host.actions, ",") != "database.getDocument,database.insertDocument" {
		t.Errorf("actions %v", host.actions)
	}
	if len(res.Logs) != 1 || !strings.Contains(res.Logs[0].Text, "oUSER") {
		t.Errorf("logs %+v", res.Logs)
	}
}
