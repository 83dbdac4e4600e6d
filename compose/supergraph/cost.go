package supergraph

// CostSpecURL is the demand-control feature Apollo's composition links
// when a subgraph applies @cost or @listSize.
const CostSpecURL = "https://specs.apollo.dev/cost/v0.1"

// CostDirective is the definition of @cost v0.1.
const CostDirective = `directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR`

// ListSizeDirective is the definition of @listSize v0.1.
const ListSizeDirective = `directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION`
