// placeholder: replaced by the BerthRuntime work
