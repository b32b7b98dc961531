// placeholder: replaced by the BerthClient work
