package main

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minicloud/minicloud/bench/internal/load"
	"github.com/minicloud/minicloud/bench/internal/proc"
)

func TestRunLoadClients(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tk" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	cfg := load.Config{Conc: 3, Duration: 50 * time.Millisecond, Seed: 1}
	for _, kind := range []clientKind{"raw", "nethttp"} {
		st, err := runLoad(context.Background(), kind, srv.URL, cfg, func(w int, r *rand.Rand) request {
			return request{method: http.MethodPost, path: "/f", token: "tk", body: []byte(`{}`)}
		})
		if err != nil || st.OK == 0 || st.Errors != 0 {
			t.Errorf("%s: ok %d errors %d %q, err %v", kind, st.OK, st.Errors, st.Samples, err)
		}
		st, err = runLoad(context.Background(), kind, srv.URL, cfg, func(w int, r *rand.Rand) request {
			return request{method: http.MethodGet, path: "/f"}
		})
		if err != nil || st.OK != 0 || st.Errors == 0 || !strings.Contains(st.Samples[0], "GET /f -> 401 no token") {
			t.Errorf("%s without a token: ok %d errors %d %q, err %v", kind, st.OK, st.Errors, st.Samples, err)
		}
	}
}

func TestRunLoadDialFailure(t *testing.T) {
	port, err := proc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	_, err = runLoad(context.Background(), "raw", base, load.Config{Conc: 2, Duration: time.Millisecond}, func(int, *rand.Rand) request {
		return request{method: http.MethodGet, path: "/"}
	})
	if err == nil || !strings.Contains(err.Error(), "connect to") {
		t.Fatalf("dial failure: %v", err)
	}
}
