package main

import (
	"context"

	"github.com/minicloud/minicloud/bench/internal/load"
)

// opFunc runs worker w's next operation; seq counts the worker's operations.
type opFunc func(ctx context.Context, w, seq int) error

// load adapts an operation to the shared load generator.
func (f opFunc) load() load.Op {
	return func(ctx context.Context, w *load.Worker) error { return f(ctx, w.ID, w.Seq) }
}
