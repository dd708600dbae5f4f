"""The CrossGuard policy pack (policy-pack/): its rules on bad and good programs, the platform's
stacks and examples, the offline synth's --policy-pack, and the pack as the Pulumi CLI loads it."""
