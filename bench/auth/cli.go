package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// runCLI runs a minicloud command and returns its standard output.
func runCLI(bin string, env []string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("minicloud %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}
