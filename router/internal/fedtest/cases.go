package fedtest

// Cases returns the federation feature corpus in a stable order.
func Cases() []Case {
	return []Case{
		caseSimpleEntity(),
		caseContext(),
		caseCompoundKey(),
		caseNestedKey(),
		caseMultipleKeys(),
		caseKeyChain(),
		caseRequiresBasic(),
		caseRequiresChain(),
		caseRequiresCycle(),
		caseRequiresArgs(),
		caseRequiresAbstract(),
		caseProvidesNested(),
		caseProvidesAbstract(),
		caseShareable(),
		caseOverride(),
		caseSkipInclude(),
		caseMutations(),
		caseInterfaceObject(),
		caseInterfaceObjectRequires(),
		caseInterfaceObjectNonResolvable(),
		caseInterfaceObjectIndirect(),
		caseUnionIntersection(),
		caseInterfaceMembersDiffer(),
		caseChildTypeMismatch(),
		caseEnumIntersection(),
		caseInputIntersection(),
		caseNullEntityChain(),
		caseNodeSharedRoot(),
		caseFed2Extends(),
		caseFed1Extends(),
		caseFed1Supergraph(),
		caseErrorsPropagation(),
		caseInaccessible(),
		caseHeaders(),
		caseBatchingLevels(),
		caseAbstractEntities(),
		caseCircularInterface(),
		caseSharedRootThree(),
		caseOverrideWithRequires(),
		caseTypenameEverywhere(),
		caseKeysMashup(),
		caseProvidesInterface(),
		caseRequiresNestedEntity(),
		caseDemandControl(),
		caseOverrideProgressive(),
	}
}

// CaseByName returns the case with the given name.
func CaseByName(name string) (Case, bool) {
	for _, c := range Cases() {
		if c.Name == name {
			return c, true
		}
	}
	return Case{}, false
}
