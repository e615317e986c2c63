package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// maxRuleDocument bounds a rule document read from a file or stdin.
const maxRuleDocument = 1 << 20

// readRuleDocument reads the rule document a `rules set` command names: "-" is stdin,
// an argument that starts with "{" (or is "null") the JSON itself, anything else a file.
func readRuleDocument(stdin io.Reader, arg string) ([]byte, error) {
	var r io.Reader
	switch arg = strings.TrimSpace(arg); {
	case arg == "-":
		r = stdin
	case strings.HasPrefix(arg, "{") || arg == "null":
		return []byte(arg), nil
	default:
		f, err := os.Open(arg)
		if err != nil {
			return nil, fmt.Errorf("read the rules: %w", err)
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxRuleDocument+1))
	if err != nil {
		return nil, fmt.Errorf("read the rules: %w", err)
	}
	if len(raw) > maxRuleDocument {
		return nil, fmt.Errorf("read the rules: larger than %d bytes", maxRuleDocument)
	}
	return raw, nil
}
