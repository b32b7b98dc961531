// placeholder: replaced by the BerthCLI work
