// Package kube checks the Kubernetes manifests under deploy/kubernetes the
// way the stack check checks docker-compose.yml: no cluster runs on the
// machines that build this project, so each overlay is rendered with
// kustomize's own library, every object is decoded strictly into the
// Kubernetes API types (a misspelt field fails), and the result is held
// against the binaries it runs (their flags, the variables they read,
// their listen ports and health endpoints) and against the rules a
// production deployment needs (probes, resources, a non-root security
// context, disruption budgets, autoscalers, network policies).
package kube

import (
	"fmt"
	"sync"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// renderMu serializes renderings: kustomize keeps the OpenAPI schema it
// loads for a run in package state of its own.
var renderMu sync.Mutex

// Render builds the kustomization in dir as `kubectl apply -k dir` does
// (kustomize's defaults: files only from inside each kustomization's
// folder) and returns the manifests as a YAML stream.
func Render(dir string) ([]byte, error) {
	renderMu.Lock()
	defer renderMu.Unlock()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", dir, err)
	}
	out, err := m.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", dir, err)
	}
	return out, nil
}
