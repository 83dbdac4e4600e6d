package kube

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/stackcheck"
)

// dockerfileOf returns the Dockerfile that builds a Deployment's binary.
func dockerfileOf(name string) string {
	if sg, ok := stackcheck.SubgraphNamed(name); ok {
		return filepath.Join(sg.Dir, "Dockerfile")
	}
	return stackcheck.RouterDockerfile
}

// TestImagesAreTheDockerfiles checks the base runs the images
// docker-compose.yml builds from the Dockerfiles the check reads, and
// that every overlay's image overrides name an image of the base (a typo
// there overrides nothing).
func TestImagesAreTheDockerfiles(t *testing.T) {
	env, err := config.ReadDotEnv(filepath.Join(root, ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	compose, err := stackcheck.LoadCompose(filepath.Join(root, "docker-compose.yml"), env)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Render(filepath.Join(root, "deploy", "kubernetes", "base"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	var images []string
	for _, d := range o.Deployments {
		s, ok := compose.Services[d.Name]
		if !ok || s.Build == nil {
			t.Errorf("deployment %s: docker-compose.yml builds no image %s", d.Name, d.Name)
			continue
		}
		if want := dockerfileOf(d.Name); filepath.Clean(s.Build.Dockerfile) != want {
			t.Errorf("deployment %s: compose builds it from %s, the check reads %s", d.Name, s.Build.Dockerfile, want)
		}
		for _, c := range d.Spec.Template.Spec.Containers {
			if want := ImageRepository(s.Image); c.Image != want {
				t.Errorf("deployment %s runs image %s, want %s (what compose builds)", d.Name, c.Image, want)
			}
			images = append(images, c.Image)
		}
	}
	if len(o.Deployments) != len(stackcheck.Subgraphs())+1 {
		t.Errorf("the base has %d Deployments, want the router and every subgraph", len(o.Deployments))
	}
	for _, ov := range []string{production.name, dev.name} {
		raw, err := os.ReadFile(filepath.Join(overlayDir(ov), "kustomization.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var k types.Kustomization
		if err := yaml.UnmarshalStrict(raw, &k); err != nil {
			t.Fatalf("overlay %s: %v", ov, err)
		}
		var overridden []string
		for _, img := range k.Images {
			if !slices.Contains(images, img.Name) {
				t.Errorf("overlay %s overrides image %s, which the base does not run", ov, img.Name)
			}
			overridden = append(overridden, img.Name)
		}
		for _, img := range images {
			if !slices.Contains(overridden, img) {
				t.Errorf("overlay %s does not set the tag of %s", ov, img)
			}
		}
	}
}

// TestSecretIsDocumented checks the README tells operators to create the
// Secret the manifests read, and names every key of it.
func TestSecretIsDocumented(t *testing.T) {
	readme := readText(t, filepath.Join(root, "deploy", "kubernetes", "README.md"))
	if !strings.Contains(readme, "create secret generic "+secretName) {
		t.Errorf("deploy/kubernetes/README.md does not show how to create Secret %s", secretName)
	}
	if !strings.Contains(readme, filepath.Base(secretExample)) {
		t.Errorf("deploy/kubernetes/README.md does not point at %s", filepath.Base(secretExample))
	}
	for k := range documentedSecret(t).Values {
		if !strings.Contains(readme, "`"+k+"`") {
			t.Errorf("deploy/kubernetes/README.md does not describe the Secret key %s", k)
		}
	}
}
