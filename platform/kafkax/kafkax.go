// Package kafkax wraps kafka-go with the settings the shop needs: one
// Client per service that reaches the brokers the same way everywhere (TLS,
// SASL), creates topics explicitly with production replication, writers
// that never create topics by accident, and a Consumer that commits only
// settled messages and sets poison events aside in a dead-letter topic.
package kafkax

import (
	"encoding/json"
	"fmt"

	"github.com/segmentio/kafka-go"

	"github.com/shopsupergraph/shop/platform/events"
)

// Message builds a Kafka message for an envelope keyed by aggregate id.
func Message(topic, key string, e events.Envelope) (kafka.Message, error) {
	v, err := json.Marshal(e)
	if err != nil {
		return kafka.Message{}, fmt.Errorf("encode envelope: %w", err)
	}
	return kafka.Message{Topic: topic, Key: []byte(key), Value: v}, nil
}
