"""Comment text: normalisation, tokens, language, personal-information masking, classifier."""
