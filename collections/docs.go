package collections

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync/atomic"
	"time"

	"github.com/minicloud/minicloud/collections/ejson"
)

// row is one stored document as read from its table.
type row struct {
	rowid  int64
	id     string
	openid string
	doc    ejson.D // _id first, then the stored fields, then _openid when set
	data   []byte  // the stored body, when the plan read the row without decoding it
}

// decodeDocument rebuilds the CloudBase document from its columns.
func decodeDocument(id, openid string, data []byte) (ejson.D, error) {
	var body ejson.D
	if len(data) > 0 && string(data) != "null" {
		d, err := ejson.UnmarshalDoc(data)
		if err != nil {
			return nil, err
		}
		body = d
	}
	doc := make(ejson.D, 0, len(body)+2)
	doc = append(doc, ejson.E{Key: "_id", Value: id})
	for _, e := range body {
		if e.Key != "_id" && e.Key != "_openid" {
			doc = append(doc, e)
		}
	}
	if openid != "" {
		doc = append(doc, ejson.E{Key: "_openid", Value: openid})
	}
	return doc, nil
}

// splitDocument separates a document into its id, owner and stored body.
func splitDocument(doc ejson.D) (id any, hasID bool, openid any, hasOpenID bool, body ejson.D) {
	body = make(ejson.D, 0, len(doc))
	for _, e := range doc {
		switch e.Key {
		case "_id":
			id, hasID = e.Value, true
		case "_openid":
			openid, hasOpenID = e.Value, true
		default:
			body = append(body, e)
		}
	}
	return
}

// validateStoredValue checks what may be stored: no '$'-prefixed or dotted or empty
// field names (they could never be queried), no server-date placeholders left.
func validateStoredValue(v any, depth int) error {
	switch v.(type) {
	case ejson.D, []any:
		// depth counts the objects and arrays around v; v is one more level
		if depth >= ejson.MaxDepth {
			return newError(CodeInvalidParam, "document is nested too deeply (max %d levels)", ejson.MaxDepth)
		}
	}
	switch x := v.(type) {
	case ejson.D:
		for _, e := range x {
			if e.Key == "" {
				return newError(CodeInvalidParam, "field names must not be empty")
			}
			if e.Key[0] == '$' {
				return newError(CodeInvalidParam, "field name %q must not start with '$'", e.Key)
			}
			if strings.Contains(e.Key, ".") {
				return newError(CodeInvalidParam, "field name %q must not contain '.'", e.Key)
			}
			if err := validateStoredValue(e.Value, depth+1); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := validateStoredValue(e, depth+1); err != nil {
				return err
			}
		}
	case ejson.ServerDate:
		return newError(CodeInvalidParam, "serverDate was not resolved")
	}
	return nil
}

// encodeBody validates and encodes a document body for storage.
func encodeBody(body ejson.D) ([]byte, error) {
	if err := validateStoredValue(body, 0); err != nil {
		return nil, err
	}
	b, err := ejson.Marshal(body, ejson.Relaxed)
	if err != nil {
		return nil, newError(CodeInvalidParam, "cannot store document: %v", err)
	}
	if len(b) > MaxDocumentBytes {
		return nil, newError(CodeDocumentTooLarge, "document is larger than %d bytes", MaxDocumentBytes)
	}
	return b, nil
}

// validateID checks a client-chosen _id.
func validateID(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", newError(CodeInvalidParam, "_id must be a string, got %s", ejson.TypeName(v))
	}
	if s == "" || len(s) > MaxIDLength || !idPattern.MatchString(s) {
		return "", newError(CodeInvalidParam, "invalid _id %q: 1-%d characters, no control characters, '/', '\\', '?' or '#'", s, MaxIDLength)
	}
	return s, nil
}

var idCounter atomic.Uint32

func init() {
	var b [4]byte
	_, _ = rand.Read(b[:])
	idCounter.Store(uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]))
}

// NewID generates a document id shaped like CloudBase's: 32 lowercase hex digits
// (seconds, random bytes, a counter), so ids sort roughly by creation time.
func NewID() string {
	var b [16]byte
	t := uint32(time.Now().Unix())
	b[0], b[1], b[2], b[3] = byte(t>>24), byte(t>>16), byte(t>>8), byte(t)
	_, _ = rand.Read(b[4:13])
	c := idCounter.Add(1)
	b[13], b[14], b[15] = byte(c>>16), byte(c>>8), byte(c)
	return hex.EncodeToString(b[:])
}

// pbTime formats a time as PocketBase stores autodate fields.
func pbTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.000Z")
}

// timeNow is the store's clock (a variable so tests can pin it).
var timeNow = time.Now
