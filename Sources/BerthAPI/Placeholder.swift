// placeholder: replaced by the BerthAPI work
