package wxsdk

import (
	"context"
	"encoding/json"
	"testing"
	"testing/fstest"

	"github.com/minicloud/minicloud/cloudfns"
)

// invokeBundle deploys files (transformed as `minicloud functions deploy` does) and runs
// them once in the real runtime with both SDK modules registered.
func invokeBundle(t *testing.T, host cloudfns.Host, files map[string]string) cloudfns.Result {
	t.Helper()
	fsys := fstest.MapFS{}
	for p, src := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(src)}
	}
	b, err := cloudfns.LoadBundleFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	r := cloudfns.NewRuntime(cloudfns.RuntimeConfig{}, host)
	r.RegisterModule("wx-server-sdk", WXServerSDK)
	r.RegisterModule("@cloudbase/node-sdk", NodeSDK)
	return r.Invoke(context.Background(), &cloudfns.Version{Function: "esm", Number: 1, Bundle: *b},
		json.RawMessage(`{}`), cloudfns.CallContext{RequestID: "r1", Source: "wx_client", OpenID: "oESM"})
}

// Every import form esbuild produces from an ES module or TypeScript function sees the
// whole module: named imports, a namespace import (a copy of the exports taken at load
// time, before init) and the default import.
func TestESModuleImports(t *testing.T) {
	res := invokeBundle(t, &fakeHost{env: "e-esm"}, map[string]string{
		"index.ts": `import { init, getWXContext, DYNAMIC_CURRENT_ENV, database, logger } from 'wx-server-sdk'
import * as ns from 'wx-server-sdk'
import cloud from 'wx-server-sdk'
import tcb, { init as tcbInit } from '@cloudbase/node-sdk'

init({ env: DYNAMIC_CURRENT_ENV })

export const main = async (): Promise<object> => {
  logger().info({ from: 'esm' })
  ns.logger().info({ from: 'namespace' })
  return {
    openid: getWXContext().OPENID,
    env: ns.getWXContext().ENV,
    db: typeof database().collection,
    nsLogger: typeof ns.logger,
    nsUpload: typeof ns.uploadFile,
    defaultInit: cloud.init === init,
    tcb: typeof tcb.init + typeof tcbInit,
  }
}
`,
	})
	if res.Outcome != cloudfns.OutcomeSuccess {
		t.Fatalf("%+v", res.Err)
	}
	want := `{"openid":"oESM","env":"e-esm","db":"function","nsLogger":"function","nsUpload":"function","defaultInit":true,"tcb":"functionfunction"}`
	if string(res.Value) != want {
		t.Errorf("got  %s\nwant %s", res.Value, want)
	}
	if len(res.Logs) != 2 {
		t.Errorf("logs %+v", res.Logs)
	}
}

// hostWithStorageOff implements StorageHost but reports it is not connected.
type hostWithStorageOff struct{ fakeStorage }

func (h *hostWithStorageOff) HasStorage() bool { return false }

func TestStorageHostSwitchedOff(t *testing.T) {
	on := &fakeStorage{fakeHost: fakeHost{env: "e1"}, files: map[string][]byte{}}
	off := &hostWithStorageOff{fakeStorage{fakeHost: fakeHost{env: "e1"}, files: map[string][]byte{}}}
	src := map[string]string{"index.js": `const cloud = require('wx-server-sdk')
cloud.init()
exports.main = async () => {
  try {
    const up = await cloud.uploadFile({ cloudPath: 'a/b.txt', fileContent: Buffer.from('hi') })
    const down = await cloud.downloadFile({ fileID: up.fileID })
    return { fileID: up.fileID, text: down.fileContent.toString('utf8'), isBuffer: Buffer.isBuffer(down.fileContent) }
  } catch (e) {
    return { error: e.errMsg }
  }
}`}
	if res := invokeBundle(t, on, src); string(res.Value) != `{"fileID":"cloud://e1.bucket/a/b.txt","text":"hi","isBuffer":true}` {
		t.Errorf("on: %s %+v", res.Value, res.Err)
	}
	if res := invokeBundle(t, off, src); string(res.Value) != `{"error":"uploadFile:fail not available yet in Minicloud"}` {
		t.Errorf("off: %s %+v", res.Value, res.Err)
	}
}
