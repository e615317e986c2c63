package collections

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
	"github.com/minicloud/minicloud/collections/mql"
	"github.com/minicloud/minicloud/collections/rules"
)

// Aggregate runs an aggregation pipeline (MongoDB stages such as {"$match": {…}},
// {"$group": {…}}) over a collection and returns the resulting documents in order.
//
// The caller's read access applies as in Find: a PRIVATE collection aggregates only the
// caller's own documents, ADMINONLY ones deny clients. The head of the pipeline (leading
// $match stages, then $sort, $skip and $limit) runs as the collection's SQL query; the
// rest runs in memory over at most mql.MaxAggregateDocs documents. $lookup reads the
// other collection with the same caller's rights (a missing collection joins nothing).
func (s *Store) Aggregate(ctx context.Context, caller Caller, name string, stages []ejson.D) ([]ejson.D, error) {
	if err := checkClient(caller); err != nil {
		return nil, err
	}
	c, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	resolved := make([]ejson.D, len(stages))
	for i, st := range stages {
		d, ok := ejson.ResolveServerDates(ejson.Clone(st), now).(ejson.D)
		if !ok {
			return nil, newError(CodeInvalidParam, "pipeline stage %d must be an object", i)
		}
		resolved[i] = clientFilter(d, caller)
	}
	// the query a pipeline makes is its leading $match
	var leading ejson.D
	if len(resolved) > 0 && len(resolved[0]) == 1 && resolved[0][0].Key == "$match" {
		leading, _ = resolved[0][0].Value.(ejson.D)
	}
	own, err := s.authorizeRead(ctx, c, caller, leading)
	if err != nil {
		return nil, err
	}
	p, err := mql.ParsePipeline(resolved)
	if err != nil {
		return nil, AsError(err)
	}
	pd := p.Pushdown()
	docs, err := s.aggregateRead(ctx, c, own, caller.OpenID, pd.Filter, pd.Sort, pd.Skip, pd.Limit, now)
	if err != nil {
		return nil, err
	}
	recheck := s.recheckRules(ctx, c, caller, rules.Read)
	for _, d := range docs {
		if err := checkRows(recheck, []row{{doc: d}}); err != nil {
			return nil, err
		}
	}
	foreign := func(coll string) ([]ejson.D, error) {
		return s.aggregateForeign(ctx, caller, coll, now)
	}
	out, err := pd.Rest.Run(docs, foreign, now)
	if err != nil {
		return nil, AsError(err)
	}
	return out, nil
}

// aggregateRead reads the documents a pipeline starts from: those matching filter (nil:
// all) and, when own is set, owned by openid, in the order of srt (nil: insertion
// order), after skipping skip, at most limit of them (limit < 0: no limit). More than
// mql.MaxAggregateDocs documents is an error.
func (s *Store) aggregateRead(ctx context.Context, c *coll, own bool, openid string, filter *mql.Filter, srt mql.Sort, skip, limit int64, now time.Time) ([]ejson.D, error) {
	f, err := prepareFilter(nil, own, openid, now)
	if err != nil {
		return nil, AsError(err)
	}
	if filter != nil {
		f = &mql.Filter{Root: &mql.And{Children: []mql.Node{f.Root, filter.Root}}}
	}
	n := int64(mql.MaxAggregateDocs) + 1 // one more, to detect too large an input
	if limit >= 0 && limit < n {
		n = limit
	}
	if n == 0 {
		return nil, nil
	}
	if skip > math.MaxInt32 {
		skip = math.MaxInt32
	}
	c.shapeMu.RLock()
	rows, err := c.plan(f, srt).run(ctx, s.readDB, int(skip), int(n))
	c.shapeMu.RUnlock()
	if err != nil {
		return nil, AsError(err)
	}
	if len(rows) > mql.MaxAggregateDocs {
		return nil, newError(CodeInvalidParam, "aggregate on collection %s reads more than %d documents: start the pipeline with a narrower $match or a $limit", c.name, mql.MaxAggregateDocs)
	}
	docs := make([]ejson.D, len(rows))
	for i, r := range rows {
		docs[i] = r.doc
	}
	return docs, nil
}

// aggregateForeign reads another collection for $lookup with the caller's read rights.
func (s *Store) aggregateForeign(ctx context.Context, caller Caller, name string, now time.Time) ([]ejson.D, error) {
	c, err := s.lookup(name)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == CodeCollectionNotExist {
			return nil, nil // as in MongoDB, a missing collection joins no documents
		}
		return nil, err
	}
	own, err := s.authorizeRead(ctx, c, caller, nil)
	if err != nil {
		return nil, err
	}
	return s.aggregateRead(ctx, c, own, caller.OpenID, nil, nil, 0, -1, now)
}
