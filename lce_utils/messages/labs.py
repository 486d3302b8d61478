"""The engagement labs' texts (lce_utils.engagement: notebooks, findings, CLI and errors), Swedish then English."""

TEXT: dict[str, tuple[str, str]] = {
    # names of the data's categories
    "labs_gender_woman": ("kvinnor", "women"),
    "labs_gender_man": ("män", "men"),
    "labs_gender_other": ("annat", "other"),
    "labs_gender_unknown": ("okänt", "unknown"),
    "labs_catchment_core": ("kärnområde", "core"),
    "labs_catchment_primary": ("primärt", "primary"),
    "labs_catchment_secondary": ("sekundärt", "secondary"),
    "labs_catchment_outside": ("utanför", "outside"),
    "labs_title_01-audience-overview": ("Publiköversikt", "Audience overview"),
    "labs_title_02-priority-groups": ("Prioriterade grupper", "Priority groups"),
    "labs_title_03-programming-and-occupancy": ("Programläggning och beläggning", "Programming and occupancy"),
    "labs_title_04-loyalty-and-retention": ("Lojalitet och återkomst", "Loyalty and retention"),
    # key figures
    "labs_key_figures": ("Nyckeltal", "Key figures"),
    "labs_kf_visits": ("Besök (biljetter)", "visits (tickets)"),
    "labs_kf_unique_visitors": ("Unika besökare", "unique visitors"),
    "labs_kf_visits_per_visitor": ("Besök per besökare", "visits per visitor"),
    "labs_kf_returning_share": ("Andel återkommande", "returning share"),
    "labs_kf_revenue": ("Intäkter", "revenue"),
    "labs_kf_rows_read": ("Rader lästa", "rows read"),
    "labs_kf_rows_rejected": ("Rader avvisade", "rows rejected"),
    "labs_see_rejects": ("se rejects.csv", "see rejects.csv"),
    "labs_no_visitor_id_short": ("inget kundnummer", "no visitor id"),
    # chart titles, axes and legends
    "labs_title_visits_by_month": ("Besök per månad", "Visits per month"),
    "labs_title_by_gender": ("Besök efter kön", "Visits by gender"),
    "labs_title_by_age": ("Besök efter ålder", "Visits by age band"),
    "labs_title_revenue_by_ticket_type": ("Intäkter per biljettyp", "Revenue by ticket type"),
    "labs_title_revenue_by_channel": ("Intäkter per kanal", "Revenue by channel"),
    "labs_title_reach": ("Besök per postnummerområde", "Visits by postcode area"),
    "labs_title_representation": ("Representationsindex (100 = Skåne)", "Representation index (100 = Skåne)"),
    "labs_title_occupancy_by_art_form": ("Beläggning och slutsålda föreställningar per konstform",
                                         "Fill and sold-out share"),
    "labs_title_occupancy_distribution": ("Föreställningar efter beläggning", "Performances by fill"),
    "labs_title_age_mix": ("Åldersmix per konstform", "Age mix by art form"),
    "labs_title_new_returning": ("Nya och återkommande besökare per månad", "New and returning visitors"),
    "labs_title_cohorts": ("Återkomst inom 12 månader per kvartal", "12-month return by quarter"),
    "labs_title_frequency": ("Besökare efter antal besök", "Visitors by number of visits"),
    "labs_axis_month": ("Månad", "month"),
    "labs_axis_visits": ("Besök", "visits"),
    "labs_axis_visitors": ("Besökare", "visitors"),
    "labs_axis_group": ("Grupp", "group"),
    "labs_axis_ticket_type": ("Biljettyp", "ticket type"),
    "labs_axis_channel": ("Kanal", "channel"),
    "labs_axis_revenue": ("Intäkter (kr)", "revenue (SEK)"),
    "labs_axis_area": ("Område", "area"),
    "labs_axis_gender": ("kön", "gender"),
    "labs_axis_age_band": ("Åldersgrupp", "age band"),
    "labs_axis_art_form": ("Konstform", "art form"),
    "labs_axis_share": ("Andel", "share"),
    "labs_axis_share_of_visits": ("Andel av besöken", "share of visits"),
    "labs_axis_fill": ("Beläggning", "fill"),
    "labs_axis_performances": ("Föreställningar", "performances"),
    "labs_axis_first_visit": ("Första besök", "first visit"),
    "labs_axis_returned_share": ("Andel som kom tillbaka", "share who returned"),
    "labs_axis_number_of_visits": ("Antal besök", "visits"),
    "labs_measure_fill": ("beläggning", "fill"),
    "labs_measure_sold_out": ("slutsålda", "sold out"),
    "labs_kind_new": ("nya", "new"),
    "labs_kind_returning": ("återkommande", "returning"),
    "labs_window_full": ("hela 12 mån", "full 12 months"),
    "labs_window_incomplete": ("ofullständig", "incomplete"),
    "labs_col_gender": ("Kön", "gender"),
    "labs_col_age": ("Ålder", "age"),
    "labs_col_audience": ("Publik", "audience"),
    "labs_col_share": ("Andel", "share"),
    "labs_col_population_share": ("Andel i Skåne", "share in Skåne"),
    "labs_caption_audience": ("Publik efter kön och ålder", "Audience by gender and age"),
    # text alternatives of the charts
    "labs_alt_visits_by_month": ("Stapeldiagram: besök per månad. Flest i {top} ({top_visits}), minst i {low} "
                                 "({low_visits}).", "Bar chart of visits per month: most in {top} ({top_visits}), "
                                 "fewest in {low} ({low_visits})."),
    "labs_alt_breakdown": ("Stapeldiagram, {title}: {parts}.", "Bar chart, {title}: {parts}."),
    "labs_alt_revenue_by_ticket_type": ("Liggande stapeldiagram, intäkter per biljettyp: {parts}.",
                                        "Horizontal bar chart, revenue by ticket type: {parts}."),
    "labs_alt_revenue_by_channel": ("Liggande stapeldiagram, intäkter per kanal: {parts}.",
                                    "Horizontal bar chart, revenue by channel: {parts}."),
    "labs_alt_reach": (
        "Liggande stapeldiagram: besök från de {areas} största postnummerområdena (tre första siffrorna), färgade "
        "efter upptagningsområde. Kärnområdet (60 % av besöken) är {core} områden, primärt (till 80 %) {primary}, "
        "sekundärt (till 90 %) {secondary}. Störst: {largest}.",
        "Horizontal bar chart: visits from the {areas} largest postcode areas (first three digits), coloured by "
        "catchment. The core (60 % of visits) is {core} areas, primary (to 80 %) {primary}, secondary (to 90 %) "
        "{secondary}. Largest: {largest}."),
    "labs_alt_representation": (
        "Grupperat stapeldiagram: representationsindex per kön och åldersgrupp, där 100 betyder samma andel som i "
        "Skånes befolkning. Lägst: {low}. Högst: {high}.",
        "Grouped bar chart: representation index by gender and age band; 100 = the same share as in Skåne's "
        "population. Lowest: {low}. Highest: {high}."),
    "labs_alt_occupancy_by_art_form": ("Grupperat stapeldiagram per konstform, fyllt / slutsålda: {parts}.",
                                       "Grouped bar chart per art form, fill / sold out: {parts}."),
    "labs_alt_occupancy_distribution": (
        "Histogram: antal föreställningar per beläggningsintervall om 10 %. {sold_out} av {performances} "
        "föreställningar var slutsålda.",
        "Histogram: performances by fill band of 10 %; {sold_out} of {performances} sold out."),
    "labs_alt_age_mix": ("Staplade andelar av besöken per åldersgrupp för varje konstform; i åldern 16–35: {parts}.",
                         "Age mix of each art form's visits; aged 16-35: {parts}."),
    "labs_alt_new_returning": (
        "Grupperade staplar per månad: nya besökare (första besöket i data) och återkommande. Sista månaden "
        "{month}: {new} nya, {returning} återkommande.",
        "Grouped bars per month: new visitors (first visit in the data) and returning. Last month {month}: {new} "
        "new, {returning} returning."),
    "labs_alt_cohorts": ("Stapeldiagram: andel av varje kvartals nya besökare som kom tillbaka inom 12 månader "
                         "(* ofullständig): {parts}.",
                         "Bar chart: share of each quarter's first-time visitors who returned within 12 months "
                         "(* incomplete): {parts}."),
    "labs_alt_frequency": ("Stapeldiagram, besökare efter antal besök: {parts}.",
                           "Bar chart, visitors by number of visits: {parts}."),
    # notes where a chart cannot be drawn
    "labs_no_visits": ("Inga besök i perioden.", "No visits in the period."),
    "labs_no_postcodes": ("Inga postnummer i data.", "No postcodes in the data."),
    "labs_no_population_heading": ("Jämförelse med befolkningen saknas", "No population comparison"),
    "labs_no_population_text": (
        "Ingen befolkningstabell från SCB följer med denna installation, så representationsindex beräknas inte; "
        "diagrammet visar publikens fördelning.",
        "No Statistics Sweden population table ships with this installation, so no representation index is "
        "computed; the chart shows the audience's own distribution."),
    "labs_no_capacity": ("Ingen evenemangsfil med kapacitet: beläggning kan inte beräknas.",
                         "No events file with capacities: occupancy cannot be computed."),
    "labs_no_capacity_per_performance": ("Ingen kapacitet per föreställning.", "No capacity per performance."),
    "labs_art_form_needs_events": ("Konstform kräver en evenemangsfil.", "Art form needs an events file."),
    "labs_too_few_ages": ("För få besök med känd ålder.", "Too few visits with a known age."),
    "labs_no_visitor_id_new_returning": ("Inget kundnummer i data: nya och återkommande besökare kan inte skiljas åt.",
                                         "No visitor id: new and returning visitors cannot be told apart."),
    "labs_no_cohorts": ("Inga kohorter att visa.", "No cohorts to show."),
    "labs_no_visitor_id": ("Inget kundnummer i data.", "No visitor id in the data."),
    "labs_rows_not_visits": ("Rader som inte är besök (räknas inte)", "Rows that are not visits (not counted)"),
    "labs_duplicate_rows": ("{n} rader är exakta dubbletter av en tidigare rad (räknas som besök; kontrollera "
                            "exporten).", "{n} rows repeat an earlier row exactly (counted as visits; check the "
                            "export)."),
    "labs_every_row_read": ("Alla rader kunde läsas.", "Every row could be read."),
    "labs_rows_rejected": ("Rader som inte kunde läsas (se rejects.csv)", "Rows that could not be read"),
    "labs_no_population_note": ("Ingen befolkningstabell följer med: jämförelsen med befolkningen utelämnas.",
                                "No population table ships: the comparison with the population is left out."),
    "labs_population_source": ("Befolkning: {reference}. Åldern i publiken är ålder vid besöket; befolkningen avser "
                               "31 december 2019.", "Population: {reference}. Audience age is age at the visit; the "
                               "population is that of 31 December 2019."),
    "labs_no_gaps": ("Inga tydliga avvikelser i dessa data.", "No clear gaps in this data."),
    # findings (lce_utils.engagement.findings)
    "labs_find_quiet_months": ("Månader med under 60 % av genomsnittet ({months}) kan få riktade erbjudanden eller "
                               "program för nya grupper.", "Months below 60 % of the average ({months}) are room for "
                               "targeted offers or programmes for new groups."),
    "labs_find_missing_demographics": (
        "Kön saknas för {gender_share} och ålder för {age_share} av besöken: fråga frivilligt om födelseår och kön "
        "vid köp för att kunna följa upp prioriterade grupper.",
        "Gender is missing for {gender_share} and age for {age_share} of visits: ask (voluntarily) at purchase."),
    "labs_find_top_channel": ("{channel} står för {share} av intäkterna; testa om mindre kanaler når andra grupper "
                              "innan de läggs ned.", "{channel} brings {share} of revenue; check whether smaller "
                              "channels reach other groups before dropping them."),
    "labs_find_under_represented": ("{Gender} {band} år är underrepresenterade (index {index}): pröva program, "
                                    "priser eller samarbeten riktade till dem.",
                                    "{Gender} aged {band} are under-represented (index {index}): try programmes, "
                                    "prices or partnerships aimed at them."),
    "labs_find_no_population": ("Lägg till SCB:s befolkningstabell för Skåne för att kunna jämföra publiken med "
                                "befolkningen.", "Add Statistics Sweden's population table to compare the audience "
                                "with the population."),
    "labs_find_catchment": ("Kärnområdet (60 % av besöken) är {core} postnummerområden ({areas}); de {outside} "
                            "områdena utanför upptagningsområdena är mål för uppsökande verksamhet.",
                            "The core catchment is {core} postcode areas ({areas}); the {outside} areas outside the "
                            "catchments are targets for outreach."),
    "labs_find_no_events": ("Lägg till en evenemangsfil med kapacitet för att se beläggning.",
                            "Add an events file with capacities to see occupancy."),
    "labs_find_sells_out_and_underfills": (
        "{art_form}: både slutsålt ({sold_out} av föreställningarna) och {under_half} av {performances} under "
        "halvfullt – flytta föreställningar från svaga till starka produktioner och datum.",
        "{art_form} both sells out ({sold_out} of performances) and under-fills ({under_half} of {performances} "
        "under half full): move performances from weak to strong productions and dates."),
    "labs_find_underfills": (
        "{art_form} fyller bara {fill} av platserna ({under_half} av {performances} under halvfullt): färre "
        "föreställningar, mindre scen eller riktad marknadsföring.",
        "{art_form} fills {fill} of seats ({under_half} of {performances} under half full): fewer performances, a "
        "smaller stage or targeted marketing."),
    "labs_find_sells_out": ("{art_form} säljer slut {sold_out} av gångerna: lägg till föreställningar eller en "
                            "större scen.", "{art_form} sells out {sold_out} of the time: add performances or a "
                            "larger stage."),
    "labs_find_lowest_fill": ("Lägst beläggning: {events}", "Lowest fill: {events}"),
    "labs_find_no_visitor_id": ("Utan kundnummer kan återkomst inte mätas: be om medlems- eller kundnummer vid köp.",
                                "Without a visitor id return cannot be measured: ask for a member or customer "
                                "number at purchase."),
    "labs_find_once": ("{share} av besökarna kom bara ett datum: ett tack med ett erbjudande inom en månad efter "
                       "första besöket kan öka återkomsten.", "{share} of visitors came on one date only: follow up "
                       "first visits within a month."),
    "labs_find_cohorts": ("Bäst återkomst hade nya besökare från {best} ({best_share}), sämst {worst} "
                          "({worst_share}): jämför vad som spelades de kvartalen.",
                          "Best 12-month return: {best} ({best_share}); worst: {worst} ({worst_share}); compare "
                          "what was on."),
    "labs_find_busiest_month": ("Flest besök kom i {month} ({visits}).",
                                "The busiest month was {month} ({visits} visits)."),
    "labs_find_returning": ("{share} av besökarna kom tillbaka minst en gång.",
                            "{share} of visitors came back at least once."),
    "labs_find_best_fill": ("Högst beläggning hade {art_form} ({share}).",
                            "{art_form} had the highest occupancy ({share})."),
    "labs_find_least_represented": (
        "Minst representerade jämfört med Skånes befolkning: {gender} {band} år (index {index}; 100 = som i "
        "befolkningen).",
        "The least represented group against Skåne's population: {gender} aged {band} (index {index}; 100 = as in "
        "the population)."),
    "labs_find_most_represented": (
        "Mest representerade jämfört med Skånes befolkning: {gender} {band} år (index {index}; 100 = som i "
        "befolkningen).",
        "The most represented group against Skåne's population: {gender} aged {band} (index {index}; 100 = as in "
        "the population)."),
    "labs_find_most_revenue": ("Mest intäkter kom via {channel}.", "Most revenue came through {channel}."),
}
