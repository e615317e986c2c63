package mql

import (
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

// Expr matches the documents for which an aggregation expression is truthy: the
// query operator $expr (db.command.expr), e.g. {$expr: {$gt: ["$spent", "$budget"]}}.
// An expression that fails on a document (a $divide by zero, say) does not match it.
type Expr struct {
	expr aggExpr
}

func (p *filterParser) exprNode(v any) (Node, error) {
	c := &aggCompiler{stats: &aggCompileStats{}}
	e, err := c.expr(v)
	if err != nil {
		return nil, err
	}
	return &Expr{expr: e}, nil
}

func (x *Expr) match(doc ejson.D) bool {
	r := &aggRun{now: time.Now(), colls: map[string][]ejson.D{}}
	v, err := x.expr.eval(r.env(doc, nil))
	return err == nil && aggTruthy(v)
}
