// schema.js: loads the schema by introspection and keeps it as plain maps
// the completion, the validator and the docs explorer read.

export const INTROSPECTION = `query PlaygroundIntrospection {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`;

// Schema wraps an introspection result (the value of data.__schema).
export class Schema {
  constructor(raw) {
    this.types = new Map();
    for (const t of raw.types) {
      this.types.set(t.name, {
        kind: t.kind,
        name: t.name,
        description: t.description || "",
        fields: new Map((t.fields || []).map((f) => [f.name, { ...f, args: f.args || [] }])),
        inputFields: new Map((t.inputFields || []).map((f) => [f.name, f])),
        enumValues: t.enumValues || [],
        interfaces: (t.interfaces || []).map((i) => i.name),
        possibleTypes: (t.possibleTypes || []).map((i) => i.name),
      });
    }
    this.queryType = raw.queryType && raw.queryType.name;
    this.mutationType = raw.mutationType && raw.mutationType.name;
    this.subscriptionType = raw.subscriptionType && raw.subscriptionType.name;
    this.directives = new Map((raw.directives || []).map((d) => [d.name, d]));
  }

  // rootType returns the type name an operation of kind op starts from.
  rootType(op) {
    return { query: this.queryType, mutation: this.mutationType, subscription: this.subscriptionType }[op] || null;
  }

  type(name) {
    return this.types.get(name) || null;
  }

  // field returns the field name of the type typeName (__typename on every
  // composite type, __schema and __type on the query type).
  field(typeName, name) {
    const t = this.type(typeName);
    if (!t) { return null; }
    if (name === "__typename" && isComposite(t)) {
      return { name, description: "The name of the object's type.", args: [], type: { kind: "NON_NULL", ofType: { kind: "SCALAR", name: "String" } } };
    }
    if (typeName === this.queryType && name === "__schema") {
      return { name, description: "The schema of this endpoint.", args: [], type: { kind: "NON_NULL", ofType: { kind: "OBJECT", name: "__Schema" } } };
    }
    if (typeName === this.queryType && name === "__type") {
      return { name, description: "A type of this endpoint by name.", args: [{ name: "name", type: { kind: "NON_NULL", ofType: { kind: "SCALAR", name: "String" } } }], type: { kind: "OBJECT", name: "__Type" } };
    }
    return t.fields.get(name) || null;
  }

  // userTypes lists the types other than the introspection ones, sorted.
  userTypes() {
    return [...this.types.values()].filter((t) => !t.name.startsWith("__")).sort((a, b) => a.name.localeCompare(b.name));
  }

  // canApply reports whether fragment type cond may apply within parent.
  canApply(cond, parent) {
    if (cond === parent) { return true; }
    const a = this.type(cond);
    const b = this.type(parent);
    if (!a || !b) { return false; }
    const possible = (t) => (t.kind === "OBJECT" ? [t.name] : t.possibleTypes);
    const pa = possible(a);
    return possible(b).some((n) => pa.includes(n));
  }
}

export function isComposite(t) {
  return t && (t.kind === "OBJECT" || t.kind === "INTERFACE" || t.kind === "UNION");
}

export function isInputType(t) {
  return t && (t.kind === "SCALAR" || t.kind === "ENUM" || t.kind === "INPUT_OBJECT");
}

// namedType returns the name under the list and non-null wrappers of ref.
export function namedType(ref) {
  while (ref && ref.ofType) { ref = ref.ofType; }
  return ref ? ref.name : null;
}

// typeString prints ref in SDL notation, e.g. [Product!]!.
export function typeString(ref) {
  if (!ref) { return ""; }
  if (ref.kind === "NON_NULL") { return typeString(ref.ofType) + "!"; }
  if (ref.kind === "LIST") { return "[" + typeString(ref.ofType) + "]"; }
  return ref.name;
}
