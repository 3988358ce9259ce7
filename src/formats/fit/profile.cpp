// placeholder, replaced by the decoder
