"""The words staff lists use for the register's coded fields, in Swedish and English (input vocabulary: a value
is recognised as its code or one of these words, in any case)."""

GENDERS = {"woman": ("kvinna", "k", "f", "female", "kvinnor", "women"), "man": ("m", "male", "men", "män"),
           "non_binary": ("icke-binär", "icke binär", "non-binary", "nonbinary", "x", "annat")}
LABOUR = {"employed": ("anställd", "sysselsatt", "egenföretagare", "self-employed", "self_employed", "in employment"),
          "unemployed": ("arbetslös",),
          "long_term_unemployed": ("långtidsarbetslös", "long-term unemployed", "long term unemployed"),
          "inactive": ("utanför arbetskraften", "inaktiv", "not in the labour force")}
EDUCATION = {"isced_0_2": ("0-2", "isced 0-2", "förgymnasial"), "isced_3_4": ("3-4", "isced 3-4", "gymnasial"),
             "isced_5_8": ("5-8", "isced 5-8", "eftergymnasial")}
EXIT_REASONS = {"completed": ("fullföljt", "klar"), "employment": ("arbete", "job"),
                "education": ("studier", "studies"), "other": ("annat",)}
YES = {"yes", "ja", "y", "j", "1", "true", "x"}
NO = {"no", "nej", "n", "0", "false"}
DECLINED = {"declined", "avböjt", "avböjer", "vill ej svara", "prefer not to say"}
