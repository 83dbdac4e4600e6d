package engine

import (
	"bytes"
	"context"
	"os"
	"testing"
)

func TestScratchPlan(t *testing.T) {
	p := os.Getenv("SG")
	if p == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(p)
	q, _ := os.ReadFile(os.Getenv("Q"))
	e, err := New(context.Background(), Options{SupergraphSDL: string(b)})
	if err != nil {
		t.Fatal(err)
	}
	e.planConfig.Debug.PrintQueryPlans = true
	e.planConfig.Debug.PrintPlanningPaths = os.Getenv("PATHS") != ""
	e.planConfig.Debug.PrintNodeSuggestions = os.Getenv("SUGG") != ""
	e.planConfig.Debug.PrintOperationTransformations = os.Getenv("TRANS") != ""
	var buf bytes.Buffer
	err = e.Execute(context.Background(), &Request{Query: string(q)}, nil, &buf, ExecOptions{})
	t.Logf("err=%v out=%s", err, buf.String())
}
