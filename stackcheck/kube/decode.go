package kube

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Objects are the manifests of one rendering, decoded into the Kubernetes
// API types.
type Objects struct {
	Namespaces      []corev1.Namespace
	Deployments     []appsv1.Deployment
	Services        []corev1.Service
	ConfigMaps      []corev1.ConfigMap
	HPAs            []autoscalingv2.HorizontalPodAutoscaler
	PDBs            []policyv1.PodDisruptionBudget
	NetworkPolicies []networkingv1.NetworkPolicy
}

// Decode splits a YAML stream into its documents and decodes each
// strictly into the API type its apiVersion and kind name: an unknown or
// repeated field fails, as does a kind the check does not know (add it
// here, with the checks it needs, before using it).
func Decode(stream []byte) (*Objects, error) {
	o := &Objects{}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(stream)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return o, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		if err := o.add(doc); err != nil {
			return nil, err
		}
	}
}

func (o *Objects) add(doc []byte) error {
	var head struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	id := head.APIVersion + " " + head.Kind + " " + head.Metadata.Name
	strict := func(v any) error {
		if err := yaml.UnmarshalStrict(doc, v); err != nil {
			return fmt.Errorf("decode %s: %w", id, err)
		}
		return nil
	}
	switch head.APIVersion + " " + head.Kind {
	case "v1 Namespace":
		return decodeInto(strict, &o.Namespaces)
	case "apps/v1 Deployment":
		return decodeInto(strict, &o.Deployments)
	case "v1 Service":
		return decodeInto(strict, &o.Services)
	case "v1 ConfigMap":
		return decodeInto(strict, &o.ConfigMaps)
	case "autoscaling/v2 HorizontalPodAutoscaler":
		return decodeInto(strict, &o.HPAs)
	case "policy/v1 PodDisruptionBudget":
		return decodeInto(strict, &o.PDBs)
	case "networking.k8s.io/v1 NetworkPolicy":
		return decodeInto(strict, &o.NetworkPolicies)
	}
	return fmt.Errorf("decode %s: not a kind the check knows", id)
}

// decodeInto decodes one object of type T and appends it to list.
func decodeInto[T any](strict func(any) error, list *[]T) error {
	var v T
	if err := strict(&v); err != nil {
		return err
	}
	*list = append(*list, v)
	return nil
}
