package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// The documents: a blog-post-like shape with a string, a low-cardinality category, a
// random integer, a float, a bool, an array, a nested object and a paragraph. Both
// systems get exactly the same values (same generator, same seed).

const (
	numCategories = 20
	collName      = "posts"
	numOwners     = 1000
)

var words = strings.Fields(`alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima
	mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu
	river stone cloud maple ember frost lumen harbor meadow signal copper violet`)

// post is one generated document. The only array (tags) is in a field the queries
// never filter or sort on: Minicloud plans a path that ever held an array with its Go
// matcher (MongoDB array semantics), which is intended but is not what this measures.
type post struct {
	Title     string   `json:"title"`
	Category  string   `json:"category"`
	N         int64    `json:"n"`
	Score     float64  `json:"score"`
	Published bool     `json:"published"`
	Tags      []string `json:"tags"`
	Author    author   `json:"author"`
	Body      string   `json:"body"`
	Owner     string   `json:"-"` // Minicloud: _openid column; PocketBase: owner field
}

type author struct {
	Name  string `json:"name"`
	Level int    `json:"level"`
}

func category(i int) string { return "c" + strconv.Itoa(i) }

func newPost(r *rand.Rand, i int) post {
	text := func(n int) string {
		w := make([]string, n)
		for j := range w {
			w[j] = words[r.IntN(len(words))]
		}
		return strings.Join(w, " ")
	}
	tags := make([]string, 1+r.IntN(3))
	for j := range tags {
		tags[j] = words[r.IntN(len(words))]
	}
	return post{
		Title:     fmt.Sprintf("Post %d: %s", i, text(4)),
		Category:  category(r.IntN(numCategories)),
		N:         r.Int64N(1_000_000),
		Score:     float64(r.IntN(10_000)) / 100,
		Published: r.IntN(4) != 0,
		Tags:      tags,
		Author:    author{Name: "user" + strconv.Itoa(r.IntN(numOwners)), Level: r.IntN(10)},
		Body:      text(20 + r.IntN(30)),
		Owner:     "seed-" + strconv.Itoa(r.IntN(numOwners)),
	}
}

// pbFields is a post as the fields of a PocketBase record create request.
func (p post) pbFields() map[string]any {
	return map[string]any{
		"title": p.Title, "category": p.Category, "n": p.N, "score": p.Score,
		"published": p.Published, "tags": p.Tags, "author": p.Author, "body": p.Body,
		"owner": p.Owner,
	}
}
