package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"

	"github.com/minicloud/minicloud/bench/internal/load"
)

// requestFunc builds worker w's next request; r is the worker's own generator, seeded
// the same way for both systems so that they receive the same request mix.
type requestFunc func(ctx context.Context, w int, r *rand.Rand) (*http.Request, error)

// target is one system under test.
type target struct {
	system    string // "Minicloud" or "PocketBase"
	base      string // http://127.0.0.1:port
	pid       int    // the server process
	tokens    []string
	queryURLs []string // one per category
	addURL    string   //
	addBodies [][]byte // request bodies for the add scenario
	addCheck  func([]byte) error
	queryList func([]byte) ([]map[string]any, error)
}

const mcDocumentsPath = "/v1/database/instances/(default)/databases/(default)/collections/" + collName + "/documents"

func newMinicloudTarget(base string, bodies []post) *target {
	t := &target{system: "Minicloud", base: base, addURL: base + mcDocumentsPath}
	for i := 0; i < numCategories; i++ {
		q := url.Values{
			"query":  {`{"category":"` + category(i) + `"}`},
			"order":  {`[{"field":"n","direction":"desc"}]`},
			"offset": {"0"},
			"limit":  {"20"},
		}
		t.queryURLs = append(t.queryURLs, base+mcDocumentsPath+"?"+q.Encode())
	}
	for _, p := range bodies {
		b, _ := json.Marshal(map[string]any{"data": []post{p}})
		t.addBodies = append(t.addBodies, b)
	}
	t.queryList = func(b []byte) ([]map[string]any, error) {
		var res struct {
			List []map[string]any `json:"list"`
		}
		err := json.Unmarshal(b, &res)
		return res.List, err
	}
	t.addCheck = func(b []byte) error {
		var res struct {
			InsertedIDs []string `json:"insertedIds"`
		}
		if err := json.Unmarshal(b, &res); err != nil {
			return err
		}
		if len(res.InsertedIDs) != 1 || res.InsertedIDs[0] == "" {
			return fmt.Errorf("want one inserted id, got %s", b)
		}
		return nil
	}
	return t
}

func newPocketBaseTarget(base string, bodies []post) *target {
	t := &target{system: "PocketBase", base: base, addURL: base + "/api/collections/" + collName + "/records"}
	for i := 0; i < numCategories; i++ {
		q := url.Values{
			"filter":    {`category="` + category(i) + `"`},
			"sort":      {"-n"},
			"perPage":   {"20"},
			"skipTotal": {"1"},
		}
		t.queryURLs = append(t.queryURLs, base+"/api/collections/"+collName+"/records?"+q.Encode())
	}
	for _, p := range bodies {
		b, _ := json.Marshal(p.pbFields())
		t.addBodies = append(t.addBodies, b)
	}
	t.queryList = func(b []byte) ([]map[string]any, error) {
		var res struct {
			Items []map[string]any `json:"items"`
		}
		err := json.Unmarshal(b, &res)
		return res.Items, err
	}
	t.addCheck = func(b []byte) error {
		var res struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &res); err != nil {
			return err
		}
		if res.ID == "" {
			return fmt.Errorf("no record id in %s", b)
		}
		return nil
	}
	return t
}

func (t *target) authorize(req *http.Request, w int) {
	if len(t.tokens) > 0 {
		req.Header.Set("Authorization", "Bearer "+t.tokens[w%len(t.tokens)])
	}
}

func (t *target) queryRequest(ctx context.Context, w int, r *rand.Rand) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.queryURLs[r.IntN(len(t.queryURLs))], nil)
	if err != nil {
		return nil, err
	}
	t.authorize(req, w)
	return req, nil
}

func (t *target) addRequest(ctx context.Context, w int, r *rand.Rand) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.addURL, bytes.NewReader(t.addBodies[r.IntN(len(t.addBodies))]))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	t.authorize(req, w)
	return req, nil
}

// signIn gets n anonymous-user access tokens from Minicloud, one per worker, as n
// separate app users would.
func signIn(client *http.Client, base, envID string, n int) ([]string, error) {
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		req, _ := http.NewRequest(http.MethodPost, base+"/auth/v1/signin/anonymously?client_id="+url.QueryEscape(envID), bytes.NewReader([]byte(`{}`)))
		req.Header.Set("Content-Type", "application/json")
		b, err := load.Do(client, req)
		if err != nil {
			return nil, err
		}
		var res struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(b, &res); err != nil || res.AccessToken == "" {
			return nil, fmt.Errorf("anonymous sign-in: no access_token in %s", b)
		}
		out = append(out, res.AccessToken)
	}
	return out, nil
}

// pbSignIn gets n PocketBase user tokens (auth-with-password), cycling over the
// seeded users.
func pbSignIn(client *http.Client, base string, n int) ([]string, error) {
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		body, _ := json.Marshal(map[string]string{"identity": pbUserEmail(i % pbUsers), "password": superuserPassword})
		req, _ := http.NewRequest(http.MethodPost, base+"/api/collections/users/auth-with-password", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		b, err := load.Do(client, req)
		if err != nil {
			return nil, err
		}
		var res struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(b, &res); err != nil || res.Token == "" {
			return nil, fmt.Errorf("pocketbase sign-in: no token in %s", b)
		}
		out = append(out, res.Token)
	}
	return out, nil
}

// verifyQuery runs the query for one category and checks that it returns 20
// documents of that category sorted by n descending; it returns their n values.
func verifyQuery(ctx context.Context, client *http.Client, t *target, cat int) ([]int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.queryURLs[cat], nil)
	if err != nil {
		return nil, err
	}
	t.authorize(req, 0)
	b, err := load.Do(client, req)
	if err != nil {
		return nil, err
	}
	list, err := t.queryList(b)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot decode the query response: %v", t.system, err)
	}
	if len(list) != 20 {
		return nil, fmt.Errorf("%s: query returned %d documents, want 20", t.system, len(list))
	}
	ns := make([]int64, len(list))
	for i, d := range list {
		if d["category"] != category(cat) {
			return nil, fmt.Errorf("%s: document %d has category %v, want %s", t.system, i, d["category"], category(cat))
		}
		n, ok := d["n"].(float64)
		if !ok {
			return nil, fmt.Errorf("%s: document %d has no numeric n: %v", t.system, i, d["n"])
		}
		ns[i] = int64(n)
		if i > 0 && ns[i] > ns[i-1] {
			return nil, fmt.Errorf("%s: documents not sorted by n descending: %v", t.system, ns[:i+1])
		}
	}
	return ns, nil
}

func verifyAdd(ctx context.Context, client *http.Client, t *target) error {
	req, err := t.addRequest(ctx, 0, rand.New(rand.NewPCG(99, 99)))
	if err != nil {
		return err
	}
	b, err := load.Do(client, req)
	if err != nil {
		return err
	}
	if err := t.addCheck(b); err != nil {
		return fmt.Errorf("%s: %w", t.system, err)
	}
	return nil
}
