// placeholder: replaced by the BerthAPIModels work
