// placeholder: replaced by the BerthImage work
